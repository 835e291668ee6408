import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { GrpcServerHost, type TlsConfig } from '@plumbline/grpc';
import { dataplane } from '@plumbline/proto';
import { DATAPLANE_CONFIG, type DataplaneConfig } from '../config/config';
import { ConnectionTestsGrpcHandler } from '../connection-tests/connection-tests.grpc';
import { LOGGER } from '../logging/logger.provider';
import { dataplaneErrorMapper } from './status-mapper';
import { TLS_CONFIG } from './tls.provider';

/** Hosts DataplaneService; only the controlplane identity may call it. */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly host: GrpcServerHost;

  constructor(
    @Inject(DATAPLANE_CONFIG) private readonly config: DataplaneConfig,
    @Inject(TLS_CONFIG) tls: TlsConfig,
    @Inject(LOGGER) logger: Logger,
    connectionTests: ConnectionTestsGrpcHandler,
  ) {
    this.host = new GrpcServerHost({ name: 'dataplane', tls, logger, mapError: dataplaneErrorMapper(logger) }).register(
      dataplane.DataplaneService,
      connectionTests,
      ['controlplane'],
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.host.listen(this.config.PLUMBLINE_GRPC_ADDRESS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.host.shutdown();
  }
}
