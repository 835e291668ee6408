import { dataplane } from '@plumbline/proto';
import { ConfigError, errorMessageOf, scrub, StepError } from '../probe';
import { OperationError, OperationErrorCode } from './errors';
import { type OperationRun } from './run';

const { TestErrorCode } = dataplane;

/** A connectivity failure (the `test` method's diagnosis) as an operation failure. */
function fromStepError(error: StepError): OperationError {
  switch (error.code) {
    case TestErrorCode.INVALID_CONFIGURATION:
      return new OperationError(OperationErrorCode.INVALID_ARGUMENT, error.message, error.hint);
    case TestErrorCode.AUTHENTICATION_FAILED:
    case TestErrorCode.PERMISSION_DENIED:
      return new OperationError(OperationErrorCode.PERMISSION_DENIED, error.message, error.hint);
    case TestErrorCode.DATABASE_NOT_FOUND:
    case TestErrorCode.SCHEMA_NOT_FOUND:
      return new OperationError(OperationErrorCode.NOT_FOUND, error.message, error.hint);
    case TestErrorCode.TIMEOUT:
      return new OperationError(OperationErrorCode.DEADLINE_EXCEEDED, error.message, error.hint);
    default:
      return new OperationError(OperationErrorCode.UNAVAILABLE, error.message, error.hint);
  }
}

/**
 * Any failure of an operation as an OperationError with every secret value
 * scrubbed. The run's own stop (abort, deadline) wins: a statement cut short
 * by closing the connection fails with a connection error that is only its
 * consequence. `classify` reads driver errors (SQLSTATE / errno).
 */
export function operationFailure(
  error: unknown,
  run: OperationRun,
  secrets: readonly string[],
  classify: (error: unknown) => OperationError | undefined,
): OperationError {
  const clean = (e: OperationError) => new OperationError(e.code, scrub(e.message, secrets), scrub(e.hint, secrets));
  const stopped = run.stopReason();
  if (stopped && !(error instanceof OperationError && error.code === OperationErrorCode.INVALID_ARGUMENT)) return stopped;
  if (error instanceof OperationError) return clean(error);
  if (error instanceof StepError) return clean(fromStepError(error));
  if (error instanceof ConfigError) return clean(new OperationError(OperationErrorCode.INVALID_ARGUMENT, error.message, error.hint));
  const classified = classify(error);
  if (classified) return clean(classified);
  return clean(new OperationError(OperationErrorCode.QUERY_FAILED, `the database rejected a statement: ${errorMessageOf(error)}`));
}
