import { status } from '@grpc/grpc-js';
import { CliErrorCode } from './cli-error';

/** What `plumbline` exits with. Documented in `--help` and the README. */
export enum ExitCode {
  Ok = 0,
  /** The operation ran and failed: a test that is not ok, a conflict, a failed precondition. */
  Failed = 1,
  /** Bad usage or input: flags, arguments, a property the server refused. */
  Usage = 2,
  NotFound = 3,
  /** The controlplane (or what it depends on) cannot be reached in time. */
  Unreachable = 4,
  /** The controlplane refused the client's identity. */
  Auth = 5,
  /** A bug or an unexpected server error. */
  Internal = 70,
}

/** Everything that decides an exit code: a gRPC status or a CLI-side failure. */
export type FailureCause = status | CliErrorCode;

/** The one mapping from cause to exit code; adding a cause without a case fails the type check. */
export function exitCodeFor(cause: FailureCause): ExitCode {
  switch (cause) {
    case status.OK:
      return ExitCode.Ok;
    case CliErrorCode.TestFailed:
    case CliErrorCode.Incomplete:
    case status.FAILED_PRECONDITION:
    case status.ABORTED:
    case status.ALREADY_EXISTS:
    case status.UNIMPLEMENTED:
    case status.CANCELLED:
      return ExitCode.Failed;
    case CliErrorCode.Usage:
    case CliErrorCode.UnreadableFile:
    case CliErrorCode.MissingCertificate:
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return ExitCode.Usage;
    case CliErrorCode.NotFound:
    case status.NOT_FOUND:
      return ExitCode.NotFound;
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.RESOURCE_EXHAUSTED:
      return ExitCode.Unreachable;
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return ExitCode.Auth;
    case status.INTERNAL:
    case status.UNKNOWN:
    case status.DATA_LOSS:
      return ExitCode.Internal;
    default: {
      const unhandled: never = cause;
      throw new Error(`no exit code for ${String(unhandled)}`);
    }
  }
}

/** The `--help` epilogue and the README table say the same. */
export const EXIT_CODES_HELP = `
Exit codes:
  0   ok
  1   the operation ran and failed (test not ok, FAILED_PRECONDITION such as a
      connection in use, ABORTED, ALREADY_EXISTS, UNIMPLEMENTED; also a data
      source that refused or timed out during a create or edit)
  2   usage or input error (bad flags, unreadable file, missing certificate,
      INVALID_ARGUMENT naming the field)
  3   NOT_FOUND
  4   cannot reach the controlplane or what it calls (UNAVAILABLE,
      DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED): retrying may help
  5   authentication (UNAUTHENTICATED, PERMISSION_DENIED)
  70  internal error
`;
