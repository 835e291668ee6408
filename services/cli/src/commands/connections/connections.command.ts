import type { Command } from 'commander';
import { controlplane } from '@plumbline/proto';
import { usageError } from '../../errors/cli-error';
import { collect } from '../../input/key-value';
import type { Runner } from '../runner';
import { present, testOutcome } from '../shared';
import {
  addPropertyFlags,
  addScopeFlag,
  addSpecFlags,
  readProperties,
  readScope,
  readSpec,
  refuseSpecFlags,
  type PropertyFlags,
  type ScopeFlags,
  type SpecFlags,
} from './connection-flags';
import { connectionDetails, connectionsTable } from './connections.format';

/** The name an unsaved connection carries while it is only tested. */
const TEST_CONNECTION_NAME = 'plumbline-cli-test';

interface TestFlags extends SpecFlags, ScopeFlags {
  connection?: string;
}

interface UpdateFlags extends PropertyFlags {
  name?: string;
  authMethod?: string;
  unset?: string[];
  clearSecret?: string[];
  secretsManager?: string;
}

export function registerConnections(program: Command, runner: Runner): void {
  const group = program.command('connections').description('connections: shared endpoints and credentials');

  group
    .command('list')
    .description('list every connection (orphans included) with its datastore count')
    .action(
      runner.action(async (ctx) => {
        const response = await ctx.client(controlplane.ConnectionService).listConnections({}, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.ListConnectionsResponseSchema, response);
        else ctx.print(connectionsTable(response.connections));
      }),
    );

  group
    .command('show')
    .description('one connection and its properties (secrets masked)')
    .argument('<id>', 'connection id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.ConnectionService).getConnection({ id }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.GetConnectionResponseSchema, response);
        else ctx.print(connectionDetails(present(response.connection, 'a connection')));
      }),
    );

  const test = group
    .command('test')
    .description('test an unsaved connection, or a saved one (--connection) against a new scope; writes nothing')
    .option('--connection <id>', 'a saved connection to test against --scope');
  addSpecFlags(test);
  addScopeFlag(test).action(
    runner.action<TestFlags>(async (ctx, _args, options) => {
      const scope = readScope(options);
      let connection: controlplane.TestConnectionRequest['connection'];
      if (options.connection !== undefined) {
        refuseSpecFlags(options, '--connection');
        connection = { case: 'connectionId', value: options.connection };
      } else {
        connection = { case: 'spec', value: await readSpec(options, TEST_CONNECTION_NAME, ctx) };
      }
      const response = await ctx.client(controlplane.ConnectionService).testConnection({ connection, scope }, ctx.unary());
      return testOutcome(ctx, response.result, () => ctx.printJson(controlplane.TestConnectionResponseSchema, response));
    }),
  );

  const update = group
    .command('update')
    .description('change a connection; re-verified against every datastore that uses it before anything is saved')
    .argument('<id>', 'connection id')
    .option('--name <name>', 'new name')
    .option('--auth-method <id>', 'new auth method');
  addPropertyFlags(update)
    .option('--unset <property>', 'remove a non-secret property (repeatable)', collect)
    .option('--clear-secret <property>', 'clear a stored secret property (repeatable)', collect)
    .option('--secrets-manager <id>', 'attach this secrets manager; "" detaches it')
    .action(
      runner.action<UpdateFlags>(async (ctx, [id], options) => {
        const unset = options.unset ?? [];
        const changes = await readProperties(options, ctx);
        for (const name of unset) {
          if (name in changes) throw usageError(`property "${name}" is both set and unset`);
        }
        const client = ctx.client(controlplane.ConnectionService);
        const current = present((await client.getConnection({ id }, ctx.unary())).connection, 'a connection');
        // The API replaces the non-secret properties with what it is sent, and keeps
        // stored secrets unless cleared: send the current plain ones, changed.
        const secret = new Set(current.secretPropertiesSet);
        const properties: Record<string, string> = {};
        for (const [name, value] of Object.entries(current.properties)) if (!secret.has(name)) properties[name] = value;
        for (const name of unset) {
          if (secret.has(name)) throw usageError(`"${name}" is a secret property: use --clear-secret ${name}`);
          if (!(name in properties)) throw usageError(`connection ${id} has no property "${name}" to unset`);
          delete properties[name];
        }
        Object.assign(properties, changes);
        const response = await client.updateConnection(
          {
            id,
            name: options.name ?? '',
            authMethod: options.authMethod ?? '',
            properties,
            clearSecretProperties: options.clearSecret ?? [],
            ...(options.secretsManager !== undefined ? { secretsManagerId: options.secretsManager } : {}),
          },
          ctx.unary(),
        );
        if (ctx.json) return ctx.printJson(controlplane.UpdateConnectionResponseSchema, response);
        ctx.print(connectionDetails(present(response.connection, 'a connection')));
        ctx.print(`\nupdated; re-verified ${response.verifiedDatastores} datastore(s)`);
      }),
    );

  group
    .command('delete')
    .description('delete a connection; refused while a datastore uses it')
    .argument('<id>', 'connection id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.ConnectionService).deleteConnection({ id }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.DeleteConnectionResponseSchema, response);
        else ctx.print(`deleted connection ${id}`);
      }),
    );
}
