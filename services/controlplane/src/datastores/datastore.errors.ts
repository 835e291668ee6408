export enum DatastoreErrorCode {
  NOT_FOUND = 'DATASTORE_NOT_FOUND',
  NAME_TAKEN = 'DATASTORE_NAME_TAKEN',
  INVALID_REQUEST = 'INVALID_REQUEST',
}

export class DatastoreError extends Error {
  constructor(
    readonly code: DatastoreErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = DatastoreError.name;
  }
}
