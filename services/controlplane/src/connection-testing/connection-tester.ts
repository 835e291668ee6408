import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { dataplane } from '@plumbline/proto';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { DataplaneClient } from '../dataplane-client/dataplane.client';
import { ConnectionTestError, ConnectionTestErrorCode } from './connection-test.errors';

/** A connection with decrypted, resolved properties plus the scope to check. Lives in memory only. */
export interface ResolvedTarget {
  connector: string;
  authMethod: string;
  properties: Record<string, string>;
  scope: Record<string, string>;
}

/** Asks the dataplane whether a resolved target is reachable and readable. */
@Injectable()
export class ConnectionTester {
  constructor(
    private readonly dataplaneClient: DataplaneClient,
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
  ) {}

  /** The dataplane's verdict, pass or fail. */
  test(target: ResolvedTarget): Promise<dataplane.ConnectionTestResult> {
    return this.dataplaneClient.testConnection(
      create(dataplane.ConnectionTargetSchema, target),
      this.config.PLUMBLINE_TEST_TIMEOUT_MS,
    );
  }

  /** Like `test`, but a failing verdict is an error carrying the diagnosis. */
  async verify(target: ResolvedTarget): Promise<dataplane.ConnectionTestResult> {
    const result = await this.test(target);
    if (!result.ok) {
      throw new ConnectionTestError(ConnectionTestErrorCode.TEST_FAILED, result.summary, result);
    }
    return result;
  }
}
