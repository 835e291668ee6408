import type { Command } from 'commander';
import { controlplane } from '@plumbline/proto';
import { CliError, CliErrorCode } from '../../errors/cli-error';
import type { Runner } from '../runner';
import { connectorTypeDetails, connectorTypesTable } from './connector-types.format';

export function registerConnectorTypes(program: Command, runner: Runner): void {
  const group = program.command('connector-types').description('the connectors and the properties each one takes');

  group
    .command('list')
    .description('every connector, its kind, auth methods and whether the dataplane has a driver')
    .action(
      runner.action(async (ctx) => {
        const response = await ctx.client(controlplane.ConnectionService).listConnectorTypes({}, ctx.unary());
        if (ctx.json) ctx.printJson(controlplane.ListConnectorTypesResponseSchema, response);
        else ctx.print(connectorTypesTable(response.connectorTypes));
      }),
    );

  group
    .command('show')
    .description('the properties of one connector, per auth method, with secret flags and defaults')
    .argument('<id>', 'connector id, e.g. postgresql')
    .action(
      runner.action(async (ctx, [id]) => {
        const { connectorTypes } = await ctx.client(controlplane.ConnectionService).listConnectorTypes({}, ctx.unary());
        const found = connectorTypes.find((type) => type.id === id);
        if (!found) {
          throw new CliError(CliErrorCode.NotFound, `no connector type "${id}"`, [
            `known: ${connectorTypes.map((type) => type.id).join(', ')}`,
          ]);
        }
        if (ctx.json) ctx.printJson(controlplane.ConnectorTypeSchema, found);
        else ctx.print(connectorTypeDetails(found));
      }),
    );
}
