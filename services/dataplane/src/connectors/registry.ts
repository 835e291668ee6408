import { type Connector } from './connector';
import { MysqlConnector } from './mysql/mysql.connector';
import { PostgresqlConnector } from './postgresql/postgresql.connector';

/** Every connector this dataplane can drive, by catalog id. Adding one: its folder + one line here. */
const CONNECTORS = {
  postgresql: new PostgresqlConnector(),
  mysql: new MysqlConnector(),
} satisfies Record<string, Connector>;

export type RegisteredConnectorId = keyof typeof CONNECTORS;

export function findConnector(id: string): Connector | undefined {
  return Object.hasOwn(CONNECTORS, id) ? CONNECTORS[id as RegisteredConnectorId] : undefined;
}

/** The ids of every registered connector. */
export function registeredConnectorIds(): RegisteredConnectorId[] {
  return Object.keys(CONNECTORS) as RegisteredConnectorId[];
}
