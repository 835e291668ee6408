import { Module } from '@nestjs/common';
import { DatastoresModule } from '../datastores/datastores.module';
import { OperationQueue } from './operation-queue';
import { OperationsGrpcHandler } from './operations.grpc';
import { OperationsRepository } from './operations.repository';
import { OperationsService } from './operations.service';

@Module({
  imports: [DatastoresModule],
  providers: [OperationQueue, OperationsRepository, OperationsService, OperationsGrpcHandler],
  exports: [OperationsRepository, OperationsGrpcHandler],
})
export class OperationsModule {}
