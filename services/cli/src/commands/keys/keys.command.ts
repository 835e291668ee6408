import type { Command } from 'commander';
import { controlplane } from '@plumbline/proto';
import { CliError, CliErrorCode } from '../../errors/cli-error';
import { positiveInteger } from '../../input/key-value';
import { createRotationProgress, progressModeFor } from '../../output/progress';
import type { Runner } from '../runner';
import { keysTable } from './keys.format';

interface RotateFlags {
  add?: boolean;
  newVersion?: string;
  batchSize?: number;
}

export function registerKeys(program: Command, runner: Runner): void {
  const group = program.command('keys').description('at-rest encryption keys of the controlplane');

  group
    .command('list')
    .description('key versions, the primary, and how many ciphertexts each seals')
    .action(
      runner.action(async (ctx) => {
        const response = await ctx.client(controlplane.KeyService).listKeys({}, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.ListKeysResponseSchema, response);
        else ctx.print(keysTable(response.keys));
      }),
    );

  group
    .command('rotate')
    .description(
      're-encrypt every secret under the primary key, with live progress; idempotent and resumable (re-run without --add to finish)',
    )
    .option('--add', 'first add a new key version and make it primary')
    .option('--new-version <version>', 'name of the new version (default: generated)')
    .option('--batch-size <n>', 'rows re-encrypted per transaction', positiveInteger('--batch-size'))
    .action(
      runner.action<RotateFlags>(async (ctx, _args, options) => {
        const stream = ctx.client(controlplane.KeyService).rotateKeys(
          { addKeyVersion: options.add === true, newVersion: options.newVersion ?? '', batchSize: options.batchSize ?? 0 },
          ctx.streaming(),
        );
        const progress = createRotationProgress(
          progressModeFor({ json: ctx.json, tty: ctx.io.stdout.isTTY === true }),
          ctx.io.stdout,
        );
        let done = false;
        try {
          for await (const message of stream) {
            progress.update(message);
            done = message.done;
          }
        } finally {
          progress.stop();
        }
        if (!done) {
          throw new CliError(CliErrorCode.Incomplete, 'the rotation stream ended before the controlplane said it was done', [
            'run `plumbline keys rotate` again (without --add) to finish it',
          ]);
        }
      }),
    );

  group
    .command('retire')
    .description('remove a key version from the ring; refused while a ciphertext still uses it')
    .argument('<version>', 'key version')
    .action(
      runner.action(async (ctx, [version]) => {
        const response = await ctx.client(controlplane.KeyService).retireKey({ version }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.RetireKeyResponseSchema, response);
        else ctx.print(`retired key version ${version}`);
      }),
    );
}
