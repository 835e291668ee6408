import type { Command } from 'commander';
import { controlplane } from '@plumbline/proto';
import { usageError } from '../../errors/cli-error';
import { formatTestResult } from '../../output';
import { addScopeFlag, addSpecFlags, readScope, readSpec, refuseSpecFlags, type ScopeFlags, type SpecFlags } from '../connections/connection-flags';
import { connectionsTable } from '../connections/connections.format';
import type { Runner } from '../runner';
import { present, testOutcome } from '../shared';
import { datastoreDetails, datastoresTable } from './datastores.format';

interface CreateFlags extends SpecFlags, ScopeFlags {
  name?: string;
  connection?: string;
  connectionName?: string;
}

interface UpdateFlags extends ScopeFlags {
  name?: string;
}

export function registerDatastores(program: Command, runner: Runner): void {
  const group = program.command('datastores').description('datastores: scopes (database + schema, root path) inside a connection');

  group
    .command('list')
    .description('list datastores')
    .option('--connection <id>', 'only the datastores on this connection')
    .action(
      runner.action<{ connection?: string }>(async (ctx, _args, options) => {
        const response = await ctx
          .client(controlplane.DatastoreService)
          .listDatastores({ connectionId: options.connection ?? '' }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.ListDatastoresResponseSchema, response);
        else ctx.print(datastoresTable(response.datastores));
      }),
    );

  group
    .command('show')
    .description('one datastore')
    .argument('<id>', 'datastore id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.DatastoreService).getDatastore({ id }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.GetDatastoreResponseSchema, response);
        else ctx.print(datastoreDetails(present(response.datastore, 'a datastore')));
      }),
    );

  const create = group
    .command('create')
    .description(
      'test, then create a datastore on a saved connection (--connection) or together with a new one (--connector, --property …)',
    )
    .option('--name <name>', 'datastore name (required)')
    .option('--connection <id>', 'a saved connection; it is never changed by this call')
    .option('--connection-name <name>', 'name of the new connection (default: the datastore name)');
  addSpecFlags(create);
  addScopeFlag(create).action(
    runner.action<CreateFlags>(async (ctx, _args, options) => {
      if (!options.name) throw usageError('--name is required');
      const scope = readScope(options);
      let connection: controlplane.CreateDatastoreRequest['connection'];
      if (options.connection !== undefined) {
        refuseSpecFlags(options, '--connection');
        if (options.connectionName !== undefined) throw usageError('--connection-name names a new connection; drop it with --connection');
        connection = { case: 'connectionId', value: options.connection };
      } else {
        connection = { case: 'newConnection', value: await readSpec(options, options.connectionName ?? options.name, ctx) };
      }
      const response = await ctx
        .client(controlplane.DatastoreService)
        .createDatastore({ name: options.name, connection, scope }, ctx.unary());
      if (ctx.json) return ctx.printJson(controlplane.CreateDatastoreResponseSchema, response);
      if (response.testResult) ctx.printLines([...formatTestResult(response.testResult), '']);
      ctx.print(datastoreDetails(present(response.datastore, 'a datastore')));
      if (response.connection) ctx.print(`\n${connectionsTable([response.connection])}`);
    }),
  );

  const update = group
    .command('update')
    .description('rename a datastore or change its scope (a new scope is tested before it is saved)')
    .argument('<id>', 'datastore id')
    .option('--name <name>', 'new name');
  addScopeFlag(update, 'new scope, replacing the current one').action(
    runner.action<UpdateFlags>(async (ctx, [id], options) => {
      const scope = readScope(options);
      if (options.name === undefined && Object.keys(scope).length === 0) throw usageError('nothing to change: give --name or --scope');
      const response = await ctx
        .client(controlplane.DatastoreService)
        .updateDatastore({ id, name: options.name ?? '', scope }, ctx.unary());
      if (ctx.json) ctx.printJson(controlplane.UpdateDatastoreResponseSchema, response);
      else ctx.print(datastoreDetails(present(response.datastore, 'a datastore')));
    }),
  );

  group
    .command('delete')
    .description('delete a datastore; its connection stays (possibly orphaned)')
    .argument('<id>', 'datastore id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.DatastoreService).deleteDatastore({ id }, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.DeleteDatastoreResponseSchema, response);
        else ctx.print(`deleted datastore ${id}`);
      }),
    );

  group
    .command('test')
    .description("test a saved datastore's connection and scope; writes nothing")
    .argument('<id>', 'datastore id')
    .action(
      runner.action(async (ctx, [id]) => {
        const response = await ctx.client(controlplane.DatastoreService).testDatastore({ id }, ctx.unary());
        return testOutcome(ctx, response.result, () => ctx.printJson(controlplane.TestDatastoreResponseSchema, response));
      }),
    );
}
