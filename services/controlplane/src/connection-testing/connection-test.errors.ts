import type { dataplane } from '@plumbline/proto';

export enum ConnectionTestErrorCode {
  /** The data source answered, but the check did not pass. */
  TEST_FAILED = 'CONNECTION_TEST_FAILED',
  /** The dataplane has no driver for this connector yet. */
  DRIVER_UNAVAILABLE = 'CONNECTOR_DRIVER_UNAVAILABLE',
  /** No dataplane answered in time. */
  DATAPLANE_UNAVAILABLE = 'DATAPLANE_UNAVAILABLE',
}

export class ConnectionTestError extends Error {
  constructor(
    readonly code: ConnectionTestErrorCode,
    message: string,
    readonly testResult?: dataplane.ConnectionTestResult,
  ) {
    super(message);
    this.name = ConnectionTestError.name;
  }
}
