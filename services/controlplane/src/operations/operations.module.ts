import { Module } from '@nestjs/common';
import { OperationQueue } from './operation-queue';
import { OperationRequeuer } from './operation-requeuer';
import { OperationsGrpcHandler } from './operations.grpc';
import { OperationsRepository } from './operations.repository';
import { OperationsService } from './operations.service';

@Module({
  providers: [OperationQueue, OperationRequeuer, OperationsRepository, OperationsService, OperationsGrpcHandler],
  exports: [OperationsRepository, OperationsGrpcHandler],
})
export class OperationsModule {}
