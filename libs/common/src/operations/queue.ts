/** The one job both planes agree on: run the operation named by the payload. */
export enum OperationJob {
  RUN = 'run-operation',
}

/**
 * A job carries the operation id and nothing else: never a connection
 * property, never a secret. The job id is the operation id, so enqueueing twice
 * cannot create two jobs.
 */
export interface OperationJobPayload {
  operationId: string;
}
