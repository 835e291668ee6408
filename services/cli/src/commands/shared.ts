import { status } from '@grpc/grpc-js';
import type { dataplane } from '@plumbline/proto';
import type { CommandContext } from '../context';
import { CliErrorCode } from '../errors/cli-error';
import { exitCodeFor, type ExitCode } from '../errors/exit-codes';
import { formatTestResult } from '../output/test-result';

/** A check prints its steps; "not ok" exits 1 (the mapping stays in `exitCodeFor`). */
export function testOutcome(ctx: CommandContext, result: dataplane.ConnectionTestResult | undefined, printJson: () => void): ExitCode {
  if (!result) throw new Error('the controlplane answered without a test result');
  if (ctx.json) printJson();
  else ctx.printLines(formatTestResult(result));
  return exitCodeFor(result.ok ? status.OK : CliErrorCode.TestFailed);
}

/** A required response field the server always sets; its absence is a bug, reported as internal. */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the controlplane answered without ${what}`);
  return value;
}
