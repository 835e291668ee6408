import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ANY_IDENTITY, GrpcServerHost, type TlsConfig } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { ConnectionsGrpcHandler } from '../connections/connections.grpc';
import { DatastoresGrpcHandler } from '../datastores/datastores.grpc';
import { KeysGrpcHandler } from '../keys/keys.grpc';
import { LOGGER } from '../logging/logger.provider';
import { OperationBrokerGrpcHandler } from '../operation-broker/operation-broker.grpc';
import { OperationsGrpcHandler } from '../operations/operations.grpc';
import { SecretsManagersGrpcHandler } from '../secrets-managers/secrets-managers.grpc';
import { controlplaneErrorMapper } from './status-mapper';
import { TLS_CONFIG } from './tls.provider';

/** Hosts the controlplane's gRPC API: any certificate of the internal CA may use it. */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly host: GrpcServerHost;

  constructor(
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
    @Inject(TLS_CONFIG) tls: TlsConfig,
    @Inject(LOGGER) logger: Logger,
    connections: ConnectionsGrpcHandler,
    datastores: DatastoresGrpcHandler,
    secretsManagers: SecretsManagersGrpcHandler,
    keys: KeysGrpcHandler,
    operations: OperationsGrpcHandler,
    broker: OperationBrokerGrpcHandler,
  ) {
    this.host = new GrpcServerHost({ name: 'controlplane', tls, logger, mapError: controlplaneErrorMapper(logger) })
      .register(controlplane.ConnectionService, connections, [ANY_IDENTITY])
      .register(controlplane.DatastoreService, datastores, [ANY_IDENTITY])
      .register(controlplane.SecretsManagerService, secretsManagers, [ANY_IDENTITY])
      // Key administration is for operators only.
      .register(controlplane.KeyService, keys, ['cli', 'admin'])
      .register(controlplane.OperationService, operations, [ANY_IDENTITY])
      // Leases hand out decrypted credentials: dataplane workers only.
      .register(controlplane.OperationBrokerService, broker, ['dataplane']);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.host.listen(this.config.PLUMBLINE_GRPC_ADDRESS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.host.shutdown();
  }
}
