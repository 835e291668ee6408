import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  addHealthAndReflection,
  ANY_IDENTITY,
  addService,
  identityInterceptor,
  serverCredentials,
  type HealthAndReflection,
  type TlsConfig,
} from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { ConnectionsGrpcHandler } from '../connections/connections.grpc';
import { DatastoresGrpcHandler } from '../datastores/datastores.grpc';
import { SecretsManagersGrpcHandler } from '../secrets-managers/secrets-managers.grpc';
import { LOGGER } from '../logging/logger.provider';
import { controlplaneErrorMapper } from './status-mapper';
import { TLS_CONFIG } from './tls.provider';

/** Hosts the controlplane's gRPC API on grpc-js, with health and reflection. */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly server: grpc.Server;
  private healthAndReflection?: HealthAndReflection;

  constructor(
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
    @Inject(TLS_CONFIG) private readonly tls: TlsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly connections: ConnectionsGrpcHandler,
    private readonly datastores: DatastoresGrpcHandler,
    private readonly secretsManagers: SecretsManagersGrpcHandler,
  ) {
    this.server = new grpc.Server({
      // The public API is served to any client holding a certificate from the internal CA.
      interceptors: [
        identityInterceptor(
          {
            [controlplane.ConnectionService.typeName]: [ANY_IDENTITY],
            [controlplane.DatastoreService.typeName]: [ANY_IDENTITY],
            [controlplane.SecretsManagerService.typeName]: [ANY_IDENTITY],
          },
          { insecure: tls.mode === 'insecure' },
        ),
      ],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const mapError = controlplaneErrorMapper(this.logger);
    addService(this.server, controlplane.ConnectionService, this.connections, mapError);
    addService(this.server, controlplane.DatastoreService, this.datastores, mapError);
    addService(this.server, controlplane.SecretsManagerService, this.secretsManagers, mapError);
    this.healthAndReflection = addHealthAndReflection(this.server, {
      services: [controlplane.ConnectionService, controlplane.DatastoreService, controlplane.SecretsManagerService],
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(this.config.PLUMBLINE_GRPC_ADDRESS, serverCredentials(this.tls), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.logger.info({ port, tls: this.tls.mode }, 'controlplane gRPC server listening');
  }

  async onApplicationShutdown(): Promise<void> {
    this.healthAndReflection?.setNotServing();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 5_000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
