import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  addHealthAndReflection,
  addService,
  identityInterceptor,
  serverCredentials,
  type HealthAndReflection,
  type TlsConfig,
} from '@plumbline/grpc';
import { dataplane } from '@plumbline/proto';
import { DATAPLANE_CONFIG, type DataplaneConfig } from '../config/config';
import { ConnectionTestsGrpcHandler } from '../connection-tests/connection-tests.grpc';
import { LOGGER } from '../logging/logger.provider';
import { dataplaneErrorMapper } from './status-mapper';
import { TLS_CONFIG } from './tls.provider';

/** Hosts DataplaneService; only the controlplane identity may call it. */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly server: grpc.Server;
  private healthAndReflection?: HealthAndReflection;

  constructor(
    @Inject(DATAPLANE_CONFIG) private readonly config: DataplaneConfig,
    @Inject(TLS_CONFIG) private readonly tls: TlsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly connectionTests: ConnectionTestsGrpcHandler,
  ) {
    this.server = new grpc.Server({
      interceptors: [
        identityInterceptor(
          { [dataplane.DataplaneService.typeName]: ['controlplane'] },
          { insecure: tls.mode === 'insecure' },
        ),
      ],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    addService(this.server, dataplane.DataplaneService, this.connectionTests, dataplaneErrorMapper(this.logger));
    this.healthAndReflection = addHealthAndReflection(this.server, { services: [dataplane.DataplaneService] });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(this.config.PLUMBLINE_GRPC_ADDRESS, serverCredentials(this.tls), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.logger.info({ port, tls: this.tls.mode }, 'dataplane gRPC server listening');
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
