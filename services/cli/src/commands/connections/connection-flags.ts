import type { Command } from 'commander';
import { create } from '@bufbuild/protobuf';
import { controlplane } from '@plumbline/proto';
import type { CommandContext } from '../../context';
import { usageError } from '../../errors/cli-error';
import { collect, mergeDistinct, parseKeyValue, parseKeyValues } from '../../input/key-value';
import { readStdinValue, readValueFile } from '../../input/readers';

/** The property flags `connections test|update` and `datastores create` share. */
export interface PropertyFlags {
  property?: string[];
  propertyFile?: string[];
  passwordStdin?: boolean;
}

export interface ScopeFlags {
  scope?: string[];
}

export function addPropertyFlags(command: Command): Command {
  return command
    .option('--property <key=value>', 'connection property, e.g. host=db.internal (repeatable)', collect)
    .option(
      '--property-file <key=path>',
      'property read from a file, e.g. ssl_ca=ca.pem or password=pw.txt; one final newline is dropped (repeatable)',
      collect,
    )
    .option('--password-stdin', 'read the "password" property from stdin (keeps it out of shell history)');
}

export function addScopeFlag(command: Command, what = 'datastore scope'): Command {
  return command.option('--scope <key=value>', `${what}, e.g. database=sales schema=public (repeatable)`, collect);
}

/** `--property`, `--property-file` and `--password-stdin` as one map; a key from two places is refused. */
export async function readProperties(options: PropertyFlags, ctx: CommandContext): Promise<Record<string, string>> {
  const inline = (options.property ?? []).map((raw) => parseKeyValue(raw, '--property'));
  const fromFiles = await Promise.all(
    (options.propertyFile ?? []).map(async (raw) => {
      const { key, value: path } = parseKeyValue(raw, '--property-file');
      return { key, value: await readValueFile(path, `--property-file ${key}`) };
    }),
  );
  const fromStdin = [];
  if (options.passwordStdin) {
    if (ctx.io.stdin.isTTY) ctx.note('reading the password from stdin (end with Ctrl-D)');
    fromStdin.push({ key: 'password', value: await readStdinValue(ctx.io.stdin, '--password-stdin') });
  }
  return mergeDistinct([inline, fromFiles, fromStdin], 'property');
}

export function readScope(options: ScopeFlags): Record<string, string> {
  return parseKeyValues(options.scope ?? [], '--scope');
}

/** The flags that describe a new connection (test, datastores create). */
export interface SpecFlags extends PropertyFlags {
  connector?: string;
  authMethod?: string;
  secretsManager?: string;
}

export function addSpecFlags(command: Command): Command {
  command
    .option('--connector <id>', 'connector id, e.g. postgresql (see `plumbline connector-types list`)')
    .option('--auth-method <id>', "auth method id; the connector's default when omitted");
  addPropertyFlags(command);
  return command.option('--secrets-manager <id>', 'secrets-manager integration that ${key} references resolve against');
}

/** A ConnectionSpec from the flags; `--connector` is required. */
export async function readSpec(options: SpecFlags, name: string, ctx: CommandContext): Promise<controlplane.ConnectionSpec> {
  if (!options.connector) throw usageError('--connector is required (or --connection <id> for a saved connection)');
  return create(controlplane.ConnectionSpecSchema, {
    name,
    connector: options.connector,
    authMethod: options.authMethod ?? '',
    properties: await readProperties(options, ctx),
    secretsManagerId: options.secretsManager ?? '',
  });
}

/** With `--connection <id>`, flags that describe a new connection make no sense. */
export function refuseSpecFlags(options: SpecFlags, because: string): void {
  const given = [
    options.connector !== undefined && '--connector',
    options.authMethod !== undefined && '--auth-method',
    (options.property ?? []).length > 0 && '--property',
    (options.propertyFile ?? []).length > 0 && '--property-file',
    options.passwordStdin === true && '--password-stdin',
    options.secretsManager !== undefined && '--secrets-manager',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (given.length > 0) throw usageError(`${given.join(', ')} cannot be combined with ${because}`);
}
