import { Module } from '@nestjs/common';
import { ConnectionTestingModule } from '../connection-testing/connection-testing.module';
import { ConnectionsModule } from '../connections/connections.module';
import { DatastoresGrpcHandler } from './datastores.grpc';
import { DatastoresRepository } from './datastores.repository';
import { DatastoresService } from './datastores.service';

@Module({
  imports: [ConnectionsModule, ConnectionTestingModule],
  providers: [DatastoresRepository, DatastoresService, DatastoresGrpcHandler],
  exports: [DatastoresGrpcHandler, DatastoresService],
})
export class DatastoresModule {}
