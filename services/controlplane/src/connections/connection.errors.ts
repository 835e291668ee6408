import type { dataplane } from '@plumbline/proto';

export enum ConnectionErrorCode {
  NOT_FOUND = 'CONNECTION_NOT_FOUND',
  NAME_TAKEN = 'CONNECTION_NAME_TAKEN',
  /** A datastore still uses the connection (the seed's 409 Conflict). */
  IN_USE = 'CONNECTION_IN_USE',
  /** An edit failed re-verification against one or more datastores. */
  VERIFICATION_FAILED = 'CONNECTION_VERIFICATION_FAILED',
  /** The connection or its datastores changed while an edit was being verified. */
  CHANGED_CONCURRENTLY = 'CONNECTION_CHANGED_CONCURRENTLY',
  /** A request field is malformed (not a connector property problem). */
  INVALID_REQUEST = 'INVALID_REQUEST',
}

export interface DatastoreVerificationFailure {
  datastoreId: string;
  datastoreName: string;
  testResult: dataplane.ConnectionTestResult;
}

export class ConnectionError extends Error {
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    readonly extras: {
      field?: string;
      blockingIds?: string[];
      datastoreFailures?: DatastoreVerificationFailure[];
    } = {},
  ) {
    super(message);
    this.name = ConnectionError.name;
  }
}
