export enum ConnectionTestRequestErrorCode {
  /** The request carries no target or a malformed one. */
  INVALID_TARGET = 'INVALID_TARGET',
  /** The connector is known to Plumbline but this dataplane has no driver for it. */
  CONNECTOR_NOT_IMPLEMENTED = 'CONNECTOR_NOT_IMPLEMENTED',
}

export class ConnectionTestRequestError extends Error {
  constructor(
    readonly code: ConnectionTestRequestErrorCode,
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = ConnectionTestRequestError.name;
  }
}
