import { Module } from '@nestjs/common';
import { ConnectionTestingModule } from '../connection-testing/connection-testing.module';
import { ConnectionsModule } from '../connections/connections.module';
import { DatastoresModule } from '../datastores/datastores.module';
import { KeysModule } from '../keys/keys.module';
import { SecretsManagersModule } from '../secrets-managers/secrets-managers.module';
import { GrpcServer } from './grpc-server';

@Module({
  imports: [ConnectionsModule, DatastoresModule, ConnectionTestingModule, SecretsManagersModule, KeysModule],
  providers: [GrpcServer],
})
export class GrpcModule {}
