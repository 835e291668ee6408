import type { Command } from 'commander';
import { CommandContext, type CliIo, type GlobalOptions } from '../context';
import { describeFailure, exitCodeOf, failureJson } from '../errors/report';
import { ExitCode } from '../errors/exit-codes';

/** A command's body: returns the exit code when it is not 0 without being an error (a failed test). */
export type Handler<O> = (ctx: CommandContext, args: string[], options: O) => Promise<ExitCode | void>;

const GLOBAL_KEYS = ['address', 'ca', 'cert', 'key', 'insecure', 'json', 'timeout'] as const;

/**
 * Wraps command bodies for commander: builds the context from the global flags,
 * reports any failure (human lines, or one JSON object with --json, on stderr),
 * records the exit code and closes the clients.
 */
export class Runner {
  exitCode: ExitCode = ExitCode.Ok;

  constructor(private readonly io: CliIo) {}

  action<O = Record<string, never>>(handler: Handler<O>): (...raw: unknown[]) => Promise<void> {
    return async (...raw: unknown[]) => {
      const command = raw[raw.length - 1] as Command;
      const all = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
      const globals: GlobalOptions = {};
      for (const key of GLOBAL_KEYS) if (all[key] !== undefined) Object.assign(globals, { [key]: all[key] });
      const ctx = new CommandContext(this.io, globals);
      try {
        this.exitCode = (await handler(ctx, command.processedArgs as string[], command.opts<O & Record<string, unknown>>())) ?? ExitCode.Ok;
      } catch (error) {
        this.exitCode = this.report(error, ctx);
      } finally {
        ctx.close();
      }
    };
  }

  report(error: unknown, ctx: { json: boolean; address: string; timeoutMs: number }): ExitCode {
    if (ctx.json) this.io.stderr.write(`${JSON.stringify(failureJson(error))}\n`);
    else for (const line of describeFailure(error, ctx)) this.io.stderr.write(`${line}\n`);
    return exitCodeOf(error);
  }
}
