import * as grpc from '@grpc/grpc-js';
import { CommanderError } from 'commander';
import { errorDetailOf, isServiceError } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { toJson, type JsonValue } from '@bufbuild/protobuf';
import { formatTestResult } from '../output/test-result';
import { CliError, CliErrorCode } from './cli-error';
import { exitCodeFor, type ExitCode, type FailureCause } from './exit-codes';

/** Where the CLI was talking to, for messages about reaching it. */
export interface FailureContext {
  readonly address: string;
  readonly timeoutMs: number;
}

/**
 * What a failure means for the exit code. A create or edit whose connectivity
 * check found the data source unreachable arrives as UNAVAILABLE with the
 * check attached: the controlplane was reached and the operation ran, so it
 * counts as a failed test (1), not as "cannot reach" (4).
 */
export function failureCauseOf(error: unknown): FailureCause {
  if (error instanceof CliError) return error.code;
  if (error instanceof CommanderError) return CliErrorCode.Usage;
  if (isServiceError(error)) {
    if (error.code === grpc.status.UNAVAILABLE && errorDetailOf(error, controlplane.ErrorDetailSchema)?.testResult) {
      return CliErrorCode.TestFailed;
    }
    return error.code;
  }
  return grpc.status.INTERNAL;
}

export function exitCodeOf(error: unknown): ExitCode {
  return exitCodeFor(failureCauseOf(error));
}

function statusName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}

/** The server's message; grpc-js appends an empty "Resolution note:" to some transport errors. */
function callMessage(error: grpc.ServiceError): string {
  return (error.details || statusName(error.code)).replace(/\s*Resolution note:\s*$/, '');
}

/** Extra lines for a call that failed on the way, with no answer from the controlplane's code. */
function transportHints(error: grpc.ServiceError, context: FailureContext): string[] {
  switch (error.code) {
    case grpc.status.UNAVAILABLE:
      return [
        `cannot reach the controlplane at ${context.address}: is it running? (--address or PLUMBLINE_ADDRESS)`,
        'over TLS the address must be a name in the server certificate (e.g. localhost) and --ca the CA that signed it;',
        'against a server started with PLUMBLINE_INSECURE_DEV=true, pass --insecure.',
      ];
    case grpc.status.DEADLINE_EXCEEDED:
      return [`no answer within ${context.timeoutMs} ms; raise --timeout for slow checks`];
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.PERMISSION_DENIED:
      return ['the controlplane refused this client certificate: use one issued by its CA (`pnpm pki` makes .pki/cli.crt)'];
    default:
      return [];
  }
}

function detailLines(detail: controlplane.ErrorDetail): string[] {
  const lines: string[] = [];
  if (detail.reason) lines.push(`  reason: ${detail.reason}`);
  if (detail.field) lines.push(`  field: ${detail.field}`);
  if (detail.blockingIds.length > 0) lines.push(`  blocked by: ${detail.blockingIds.join(', ')}`);
  if (detail.testResult) lines.push('  connection test:', ...formatTestResult(detail.testResult, '    '));
  for (const failure of detail.datastoreFailures) {
    const summary = failure.testResult?.summary ?? '';
    lines.push(`  ✘ datastore ${failure.datastoreName} (${failure.datastoreId})${summary ? `: ${summary}` : ''}`);
    if (failure.testResult) lines.push(...formatTestResult(failure.testResult, '      '));
  }
  return lines;
}

/** The lines a person reads on stderr. Messages come from the server or the CLI; neither holds a secret. */
export function describeFailure(error: unknown, context: FailureContext): string[] {
  if (error instanceof CliError) return [`error: ${error.message}`, ...error.hints.map((hint) => `  ${hint}`)];
  if (isServiceError(error)) {
    const detail = errorDetailOf(error, controlplane.ErrorDetailSchema);
    const head = `error: ${callMessage(error)} [${statusName(error.code)}]`;
    if (detail) return [head, ...detailLines(detail)];
    return [head, ...transportHints(error, context).map((hint) => `  ${hint}`)];
  }
  const message = error instanceof Error ? error.message : String(error);
  return [`error: internal error in the CLI: ${message}`];
}

/** The same failure as one JSON object for `--json` (on stderr). */
export function failureJson(error: unknown): JsonValue {
  const exitCode = exitCodeOf(error);
  if (error instanceof CliError) return { error: { status: error.code, message: error.message, exitCode } };
  if (isServiceError(error)) {
    const detail = errorDetailOf(error, controlplane.ErrorDetailSchema);
    return {
      error: {
        status: statusName(error.code),
        message: callMessage(error),
        exitCode,
        ...(detail ? { detail: toJson(controlplane.ErrorDetailSchema, detail) } : {}),
      },
    };
  }
  return { error: { status: 'INTERNAL', message: error instanceof Error ? error.message : String(error), exitCode } };
}
