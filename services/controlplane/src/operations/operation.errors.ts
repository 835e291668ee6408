export enum OperationErrorCode {
  NOT_FOUND = 'OPERATION_NOT_FOUND',
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** A broker call for an operation that already ended. */
  ALREADY_FINISHED = 'OPERATION_ALREADY_FINISHED',
  /** A broker call whose fencing token is not the current attempt's. */
  STALE_FENCING_TOKEN = 'STALE_FENCING_TOKEN',
  /** The queue (Redis) did not take the job; the operation row was not kept. */
  QUEUE_UNAVAILABLE = 'QUEUE_UNAVAILABLE',
}

export class OperationError extends Error {
  constructor(
    readonly code: OperationErrorCode,
    message: string,
    readonly field = '',
  ) {
    super(message);
    this.name = OperationError.name;
  }
}
