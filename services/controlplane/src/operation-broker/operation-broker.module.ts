import { Module } from '@nestjs/common';
import { AnomaliesRepository } from '../catalog/anomalies.repository';
import { CatalogRepository } from '../catalog/catalog.repository';
import { ProfilesRepository } from '../catalog/profiles.repository';
import { DatastoresModule } from '../datastores/datastores.module';
import { OperationsModule } from '../operations/operations.module';
import { OperationBrokerGrpcHandler } from './operation-broker.grpc';
import { OperationBrokerService } from './operation-broker.service';

@Module({
  imports: [OperationsModule, DatastoresModule],
  providers: [OperationBrokerService, OperationBrokerGrpcHandler, CatalogRepository, ProfilesRepository, AnomaliesRepository],
  exports: [OperationBrokerGrpcHandler],
})
export class OperationBrokerModule {}
