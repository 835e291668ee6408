/** Why a Sync, Profile or Scan failed; the gRPC layer maps each to a status. */
export enum OperationErrorCode {
  /** The target's properties or the operation's input are unusable (names the property or field). */
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  /** The container or a field does not exist in the scope. */
  NOT_FOUND = 'NOT_FOUND',
  /** The data source could not be reached or refused the login (details: the connector's diagnosis). */
  UNAVAILABLE = 'UNAVAILABLE',
  /** The account may not read what the operation needs. */
  PERMISSION_DENIED = 'PERMISSION_DENIED',
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  /** The caller aborted the operation. */
  ABORTED = 'ABORTED',
  /** The database rejected a statement for another reason. */
  QUERY_FAILED = 'QUERY_FAILED',
}

/** A failed operation. Messages name the field and the cause, never a secret value. */
export class OperationError extends Error {
  constructor(
    readonly code: OperationErrorCode,
    message: string,
    /** What to do about it, when known. */
    readonly hint = '',
  ) {
    super(message);
    this.name = OperationError.name;
  }
}
