import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { NetworkPolicy } from '../network-policy/network-policy';
import { HttpSecretsClient } from './http-secrets-client';
import { SecretsManagersGrpcHandler } from './secrets-managers.grpc';
import { SecretsManagersRepository } from './secrets-managers.repository';
import { SecretsManagersService } from './secrets-managers.service';

@Module({
  providers: [
    { provide: NetworkPolicy, useFactory: () => NetworkPolicy.fromEnv(process.env) },
    { provide: HttpSecretsClient, useFactory: (policy: NetworkPolicy) => new HttpSecretsClient(policy), inject: [NetworkPolicy] },
    SecretsManagersRepository,
    SecretsManagersService,
    SecretsManagersGrpcHandler,
  ],
  exports: [SecretsManagersService, SecretsManagersGrpcHandler],
})
export class SecretsManagersModule implements OnApplicationShutdown {
  constructor(@Inject(HttpSecretsClient) private readonly client: HttpSecretsClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
