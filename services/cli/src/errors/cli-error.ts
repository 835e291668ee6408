/** Failures the CLI finds on its own side, before or after a call. */
export enum CliErrorCode {
  /** Bad flags or arguments: a missing or conflicting option, a malformed key=value. */
  Usage = 'USAGE',
  /** A file named by a flag cannot be read. */
  UnreadableFile = 'UNREADABLE_FILE',
  /** A TLS certificate or key file is missing or unreadable. */
  MissingCertificate = 'MISSING_CERTIFICATE',
  /** A name the CLI looked up client-side (e.g. a connector type) does not exist. */
  NotFound = 'NOT_FOUND',
  /** A connectivity check ran and did not pass. */
  TestFailed = 'TEST_FAILED',
  /** A stream ended before the server said it was done (e.g. a key rotation). */
  Incomplete = 'INCOMPLETE',
}

/** Names the flag or file at fault; never carries a secret value. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** Extra lines that tell the user what to do. */
    readonly hints: readonly string[] = [],
  ) {
    super(message);
  }
}

export function usageError(message: string, ...hints: string[]): CliError {
  return new CliError(CliErrorCode.Usage, message, hints);
}
