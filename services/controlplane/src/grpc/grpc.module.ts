import { Module } from '@nestjs/common';
import { ConnectionTestingModule } from '../connection-testing/connection-testing.module';
import { ConnectionsModule } from '../connections/connections.module';
import { DatastoresModule } from '../datastores/datastores.module';
import { KeysModule } from '../keys/keys.module';
import { OperationBrokerModule } from '../operation-broker/operation-broker.module';
import { OperationsModule } from '../operations/operations.module';
import { SecretsManagersModule } from '../secrets-managers/secrets-managers.module';
import { GrpcServer } from './grpc-server';

@Module({
  imports: [ConnectionsModule, DatastoresModule, ConnectionTestingModule, SecretsManagersModule, KeysModule, OperationsModule, OperationBrokerModule],
  providers: [GrpcServer],
})
export class GrpcModule {}
