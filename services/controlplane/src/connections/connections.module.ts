import { Module } from '@nestjs/common';
import { ConnectionTestingModule } from '../connection-testing/connection-testing.module';
import { SecretsManagersModule } from '../secrets-managers/secrets-managers.module';
import { ConnectionSecrets } from './connection-secrets';
import { ConnectionsGrpcHandler } from './connections.grpc';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionsService } from './connections.service';

@Module({
  imports: [ConnectionTestingModule, SecretsManagersModule],
  providers: [ConnectionsRepository, ConnectionSecrets, ConnectionsService, ConnectionsGrpcHandler],
  exports: [ConnectionsRepository, ConnectionsService, ConnectionsGrpcHandler],
})
export class ConnectionsModule {}
