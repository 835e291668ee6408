import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { CallContext, ImplementationOf } from '@plumbline/grpc';
import { dataplane } from '@plumbline/proto';
import { DATAPLANE_CONFIG, type DataplaneConfig } from '../config/config';
import { findConnector } from '../connectors/registry';
import { LOGGER } from '../logging/logger.provider';
import { ConnectionTestRequestError, ConnectionTestRequestErrorCode } from './connection-test.errors';

/**
 * Runs a connector's connectivity check. The target's properties hold decrypted
 * secrets: they live in this call's memory only and are never logged.
 */
@Injectable()
export class ConnectionTestsGrpcHandler implements ImplementationOf<typeof dataplane.DataplaneService> {
  constructor(
    @Inject(DATAPLANE_CONFIG) private readonly config: DataplaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async testConnection(request: dataplane.TestConnectionRequest, context: CallContext) {
    const target = request.target;
    if (!target || !target.connector) {
      throw new ConnectionTestRequestError(
        ConnectionTestRequestErrorCode.INVALID_TARGET,
        'target.connector is required',
        'target.connector',
      );
    }
    const connector = findConnector(target.connector);
    if (!connector) {
      throw new ConnectionTestRequestError(
        ConnectionTestRequestErrorCode.CONNECTOR_NOT_IMPLEMENTED,
        `connector '${target.connector}' has no driver in this dataplane yet`,
        'target.connector',
      );
    }
    const budget = Math.min(request.timeoutMs || this.config.PLUMBLINE_TEST_TIMEOUT_MS, context.remainingMs());
    const result = await connector.test(
      { connector: target.connector, authMethod: target.authMethod, properties: target.properties, scope: target.scope },
      { deadline: Date.now() + budget, signal: context.signal },
    );
    this.logger.info(
      {
        connector: target.connector,
        ok: result.ok,
        errorCode: dataplane.TestErrorCode[result.errorCode],
        durationMs: result.durationMs,
      },
      'connection test finished',
    );
    return { result };
  }
}
