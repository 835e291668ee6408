import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { channelCredentials, createClient, isServiceError, type TlsConfig } from '@plumbline/grpc';
import { dataplane } from '@plumbline/proto';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { ConnectionTestError, ConnectionTestErrorCode } from '../connection-testing/connection-test.errors';
import { TLS_CONFIG } from '../grpc/tls.provider';

/** Remote calls to the dataplane over mTLS; the only place that knows its address. */
@Injectable()
export class DataplaneClient implements OnModuleDestroy {
  private readonly client;

  constructor(
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
    @Inject(TLS_CONFIG) tls: TlsConfig,
  ) {
    this.client = createClient(dataplane.DataplaneService, config.PLUMBLINE_DATAPLANE_ADDRESS, channelCredentials(tls));
  }

  async testConnection(target: dataplane.ConnectionTarget, timeoutMs: number): Promise<dataplane.ConnectionTestResult> {
    try {
      const response = await this.client.testConnection(
        { target, timeoutMs },
        // Leave the dataplane room to report a timeout itself before our deadline hits.
        { timeoutMs: timeoutMs + 2_000 },
      );
      if (!response.result) throw new Error('dataplane answered without a result');
      return response.result;
    } catch (error) {
      throw this.translate(error, target.connector);
    }
  }

  private translate(error: unknown, connector: string): Error {
    if (!isServiceError(error)) return error instanceof Error ? error : new Error(String(error));
    switch (error.code) {
      case grpc.status.UNIMPLEMENTED:
        return new ConnectionTestError(
          ConnectionTestErrorCode.DRIVER_UNAVAILABLE,
          `connector '${connector}' has no driver in the dataplane yet`,
        );
      case grpc.status.UNAVAILABLE:
      case grpc.status.DEADLINE_EXCEEDED:
        return new ConnectionTestError(
          ConnectionTestErrorCode.DATAPLANE_UNAVAILABLE,
          `dataplane at ${this.config.PLUMBLINE_DATAPLANE_ADDRESS} did not answer: ${error.details}`,
        );
      default:
        return new ConnectionTestError(
          ConnectionTestErrorCode.DATAPLANE_UNAVAILABLE,
          `dataplane refused the check (${grpc.status[error.code]}): ${error.details}`,
        );
    }
  }

  onModuleDestroy(): void {
    this.client.close();
  }
}
