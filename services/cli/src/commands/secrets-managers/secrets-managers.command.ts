import type { Command } from 'commander';
import { create } from '@bufbuild/protobuf';
import { SECRET_MASK } from '@plumbline/common';
import { controlplane } from '@plumbline/proto';
import type { CommandContext } from '../../context';
import { usageError } from '../../errors/cli-error';
import { readStdinValue, readValueFile } from '../../input/readers';
import type { Runner } from '../runner';
import { present } from '../shared';
import { secretKeysLines, secretsManagerDetails, secretsManagersTable } from './secrets-managers.format';

interface SpecFlags {
  name?: string;
  loginUrl?: string;
  credentialsFile?: string;
  credentialsStdin?: boolean;
  tokenPath?: string;
  secretUrl?: string;
  tokenHeader?: string;
  tokenPrefix?: string;
  dataPath?: string;
  caBundleFile?: string;
  clearCaBundle?: boolean;
}

function addSpecFlags(command: Command, update = false): Command {
  command
    .option('--name <name>', 'integration name')
    .option('--login-url <url>', 'POSTed with the credentials payload to obtain a token')
    .option('--credentials-file <path>', 'file holding the JSON credentials payload, e.g. {"password": "…"}')
    .option('--credentials-stdin', 'read the JSON credentials payload from stdin')
    .option('--token-path <jsonpath>', 'JSONPath of the token in the login response, e.g. $.auth.client_token')
    .option('--secret-url <url>', 'GET with the token to obtain the secret data')
    .option('--token-header <name>', 'header carrying the token, e.g. X-Vault-Token or Authorization')
    .option('--token-prefix <text>', 'put before the token, e.g. "Bearer "')
    .option('--data-path <jsonpath>', 'JSONPath of the key/value object in the secret response, e.g. $.data.data')
    .option('--ca-bundle-file <path>', 'PEM bundle of CAs trusted for both URLs (default: the system CAs)');
  if (update) command.option('--clear-ca-bundle', 'go back to the system CAs');
  return command;
}

async function readCredentials(options: SpecFlags, ctx: CommandContext): Promise<string | undefined> {
  if (options.credentialsFile !== undefined && options.credentialsStdin) {
    throw usageError('give --credentials-file or --credentials-stdin, not both');
  }
  if (options.credentialsFile !== undefined) return readValueFile(options.credentialsFile, '--credentials-file');
  if (options.credentialsStdin) {
    if (ctx.io.stdin.isTTY) ctx.note('reading the credentials payload from stdin (end with Ctrl-D)');
    return readStdinValue(ctx.io.stdin, '--credentials-stdin');
  }
  return undefined;
}

/**
 * A whole SecretsManagerSpec from the flags, on top of `base` for an update
 * (the stored credentials are kept by sending the mask back).
 */
async function readSpec(options: SpecFlags, ctx: CommandContext, base?: controlplane.SecretsManager): Promise<controlplane.SecretsManagerSpec> {
  if (options.caBundleFile !== undefined && options.clearCaBundle) throw usageError('give --ca-bundle-file or --clear-ca-bundle, not both');
  const credentials = await readCredentials(options, ctx);
  const caBundle =
    options.caBundleFile !== undefined
      ? await readValueFile(options.caBundleFile, '--ca-bundle-file')
      : options.clearCaBundle
        ? ''
        : (base?.caBundle ?? '');
  return create(controlplane.SecretsManagerSpecSchema, {
    name: options.name ?? base?.name ?? '',
    loginUrl: options.loginUrl ?? base?.loginUrl ?? '',
    credentialsPayload: credentials ?? (base ? SECRET_MASK : ''),
    tokenPath: options.tokenPath ?? base?.tokenPath ?? '',
    secretUrl: options.secretUrl ?? base?.secretUrl ?? '',
    tokenHeader: options.tokenHeader ?? base?.tokenHeader ?? '',
    tokenPrefix: options.tokenPrefix ?? base?.tokenPrefix ?? '',
    dataPath: options.dataPath ?? base?.dataPath ?? '',
    caBundle,
  });
}

function hasSpecFlags(options: SpecFlags): boolean {
  return Object.values(options).some((value) => value !== undefined && value !== false);
}

export function registerSecretsManagers(program: Command, runner: Runner): void {
  const group = program
    .command('secrets-managers')
    .description('secrets-manager integrations (Vault and alike) that ${key} references resolve against');

  group
    .command('list')
    .description('list integrations')
    .action(
      runner.action(async (ctx) => {
        const response = await ctx.client(controlplane.SecretsManagerService).listSecretsManagers({}, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.ListSecretsManagersResponseSchema, response);
        else ctx.print(secretsManagersTable(response.secretsManagers));
      }),
    );

  group
    .command('show')
    .description('one integration (credentials masked)')
    .argument('<id>', 'secrets manager id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.SecretsManagerService).getSecretsManager({ id }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.GetSecretsManagerResponseSchema, response);
        else ctx.print(secretsManagerDetails(present(response.secretsManager, 'a secrets manager')));
      }),
    );

  addSpecFlags(group.command('create').description('create an integration')).action(
    runner.action<SpecFlags>(async (ctx, _args, options) => {
      const spec = await readSpec(options, ctx);
      const response = await ctx.client(controlplane.SecretsManagerService).createSecretsManager({ spec }, ctx.unary());
      if (ctx.json) ctx.printJson(controlplane.CreateSecretsManagerResponseSchema, response);
      else ctx.print(secretsManagerDetails(present(response.secretsManager, 'a secrets manager')));
    }),
  );

  addSpecFlags(
    group
      .command('update')
      .description('change an integration; omitted fields keep their value, the credentials too unless given')
      .argument('<id>', 'secrets manager id'),
    true,
  ).action(
    runner.action<SpecFlags>(async (ctx, [id], options) => {
      if (!hasSpecFlags(options)) throw usageError('nothing to change: give at least one field flag');
      const client = ctx.client(controlplane.SecretsManagerService);
      const current = present((await client.getSecretsManager({ id }, ctx.unary())).secretsManager, 'a secrets manager');
      const spec = await readSpec(options, ctx, current);
      const response = await client.updateSecretsManager({ id, spec }, ctx.unary());
      if (ctx.json) ctx.printJson(controlplane.UpdateSecretsManagerResponseSchema, response);
      else ctx.print(secretsManagerDetails(present(response.secretsManager, 'a secrets manager')));
    }),
  );

  group
    .command('delete')
    .description('delete an integration; refused while a connection uses it')
    .argument('<id>', 'secrets manager id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.SecretsManagerService).deleteSecretsManager({ id }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.DeleteSecretsManagerResponseSchema, response);
        else ctx.print(`deleted secrets manager ${id}`);
      }),
    );

  addSpecFlags(
    group
      .command('test')
      .description('log in, fetch, and list the key names found (never values): a saved integration by id, or one given by flags')
      .argument('[id]', 'secrets manager id'),
  ).action(
    runner.action<SpecFlags>(async (ctx, [id], options) => {
      if (id !== undefined && hasSpecFlags(options)) throw usageError('give an id or the integration flags, not both');
      const secretsManager: controlplane.TestSecretsManagerRequest['secretsManager'] =
        id !== undefined ? { case: 'id', value: id } : { case: 'spec', value: await readSpec(options, ctx) };
      const response = await ctx
        .client(controlplane.SecretsManagerService)
        .testSecretsManager({ secretsManager }, ctx.unary());
      if (ctx.json) ctx.printJson(controlplane.TestSecretsManagerResponseSchema, response);
      else ctx.printLines(secretKeysLines(response));
    }),
  );
}
