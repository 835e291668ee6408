import type { Command } from 'commander';
import { controlplane } from '@plumbline/proto';
import { usageError } from '../../errors/cli-error';
import { ExitCode } from '../../errors/exit-codes';
import { positiveInteger } from '../../input/key-value';
import { createOperationProgress, progressModeFor } from '../../output';
import type { CommandContext } from '../../context';
import type { Runner } from '../runner';
import {
  OPERATION_STATUSES,
  OPERATION_TYPES,
  operationDetails,
  operationsTable,
} from './ops.format';

interface RunFlags {
  watch?: boolean;
  container?: string[];
  sampleFraction?: number;
  recordLimit?: number;
  inferenceLevel?: number;
  incrementalColumn?: string;
}

interface ListFlags {
  datastore?: string;
  type?: string;
  status?: string;
  limit?: number;
}

function choice<T>(table: Record<string, T>, flag: string): (raw: string) => T {
  return (raw) => {
    const value = table[raw];
    if (value === undefined) throw usageError(`${flag} must be one of ${Object.keys(table).join(', ')}; got "${raw}"`);
    return value;
  };
}

function fraction(raw: string): number {
  const value = Number(raw);
  if (!(value > 0 && value <= 1)) throw usageError(`--sample-fraction expects a number in (0, 1], got "${raw}"`);
  return value;
}

function level(raw: string): number {
  if (!/^[012]$/.test(raw)) throw usageError(`--inference-level expects 0, 1 or 2, got "${raw}"`);
  return Number(raw);
}

/** Streams the operation until it ends; exit 0 only on success. */
async function watch(ctx: CommandContext, id: string): Promise<ExitCode> {
  const progress = createOperationProgress(
    progressModeFor({ json: ctx.json, tty: ctx.io.stdout.isTTY === true }),
    ctx.io.stdout,
  );
  let last: controlplane.Operation | undefined;
  try {
    for await (const { operation } of ctx.client(controlplane.OperationService).watchOperation({ id }, ctx.streaming())) {
      if (!operation) continue;
      last = operation;
      progress.update(operation);
    }
  } finally {
    progress.stop();
  }
  return last?.status === controlplane.OperationStatus.SUCCESS ? ExitCode.Ok : ExitCode.Failed;
}

export function registerOps(program: Command, runner: Runner): void {
  const group = program.command('ops').description('queued operations: sync, profile, scan, test_connection');

  group
    .command('run')
    .description('enqueue an operation on a datastore; --watch follows it with live progress')
    .argument('<type>', `one of ${Object.keys(OPERATION_TYPES).join(', ')}`)
    .argument('<datastore-id>', 'datastore id')
    .option('--watch', 'follow it until it ends (exit 0 only on success)')
    .option('--container <name...>', 'containers (tables) to work on; all when omitted')
    .option('--sample-fraction <f>', 'profile: fraction of rows sampled, in (0, 1]', fraction)
    .option('--record-limit <n>', 'profile: at most this many rows per container', positiveInteger('--record-limit'))
    .option('--inference-level <n>', 'profile: 0 none, 1 basic, 2 extended inferred checks', level)
    .option('--incremental-column <column>', 'scan: only rows past the last high-water mark of this column')
    .action(
      runner.action<RunFlags>(async (ctx, [type, datastoreId], options) => {
        const operationType = choice(OPERATION_TYPES, '<type>')(type ?? '');
        const { operation } = await ctx.client(controlplane.OperationService).enqueueOperation(
          {
            datastoreId,
            type: operationType,
            options: {
              containers: options.container ?? [],
              sampleFraction: options.sampleFraction ?? 0,
              recordLimit: BigInt(options.recordLimit ?? 0),
              inferenceLevel: options.inferenceLevel ?? 0,
              incrementalColumn: options.incrementalColumn ?? '',
            },
          },
          ctx.unary(),
        );
        if (!operation) throw new Error('the controlplane answered without an operation');
        if (options.watch) return watch(ctx, operation.id);
        if (ctx.json) ctx.printJson(controlplane.OperationSchema, operation);
        else ctx.print(`enqueued ${operation.id}; follow it with: plumbline ops watch ${operation.id}`);
      }),
    );

  group
    .command('watch')
    .description('follow an operation until it ends (exit 0 only on success)')
    .argument('<id>', 'operation id')
    .action(runner.action(async (ctx, [id]) => watch(ctx, id ?? '')));

  group
    .command('list')
    .description('operations, newest first')
    .option('--datastore <id>', 'only this datastore')
    .option('--type <type>', `one of ${Object.keys(OPERATION_TYPES).join(', ')}`)
    .option('--status <status>', `one of ${Object.keys(OPERATION_STATUSES).join(', ')}`)
    .option('--limit <n>', 'at most this many (default 100)', positiveInteger('--limit'))
    .action(
      runner.action<ListFlags>(async (ctx, _args, options) => {
        const response = await ctx.client(controlplane.OperationService).listOperations(
          {
            datastoreId: options.datastore ?? '',
            type: options.type ? choice(OPERATION_TYPES, '--type')(options.type) : controlplane.OperationType.UNSPECIFIED,
            status: options.status
              ? choice(OPERATION_STATUSES, '--status')(options.status)
              : controlplane.OperationStatus.UNSPECIFIED,
            limit: options.limit ?? 0,
          },
          ctx.unary(),
        );
        if (ctx.json) ctx.printJson(controlplane.ListOperationsResponseSchema, response);
        else ctx.print(operationsTable(response.operations));
      }),
    );

  group
    .command('show')
    .description('one operation')
    .argument('<id>', 'operation id')
    .action(
      runner.action(async (ctx, [id]) => {
        const { operation } = await ctx.client(controlplane.OperationService).getOperation({ id }, ctx.unary());
        if (!operation) throw new Error('the controlplane answered without an operation');
        if (ctx.json) ctx.printJson(controlplane.OperationSchema, operation);
        else ctx.print(operationDetails(operation));
      }),
    );

  group
    .command('abort')
    .description('abort an operation: at once when queued, at its next progress report when running')
    .argument('<id>', 'operation id')
    .action(
      runner.action(async (ctx, [id]) => {
        const { operation } = await ctx.client(controlplane.OperationService).abortOperation({ id }, ctx.unary());
        if (!operation) throw new Error('the controlplane answered without an operation');
        if (ctx.json) ctx.printJson(controlplane.OperationSchema, operation);
        else ctx.print(operationDetails(operation));
      }),
    );
}
