import { type ConnectorTarget } from '../connector';
import {
  checkAuthMethod,
  hostProperty,
  optionalString,
  pemProperty,
  portProperty,
  rawString,
  requiredString,
  sslModeProperty,
  type TlsSettings,
} from '../probe';

export const POSTGRESQL_DEFAULT_PORT = 5432;

/** A PostgreSQL target, read from the catalog's property names. */
export interface PostgresqlConfig {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** May be empty (trust / peer setups). Secret: never put it in a message. */
  readonly password: string;
  readonly tls: TlsSettings;
  readonly database: string;
  readonly schema: string;
  /**
   * No datastore scope at all: check reaching and logging in only (an orphaned
   * connection's edit). PostgreSQL needs a database to log in to: `postgres`.
   */
  readonly connectionLevel: boolean;
}

/** Reads and checks the target; throws ConfigError naming the bad property. */
export function parsePostgresqlTarget(target: ConnectorTarget): PostgresqlConfig {
  checkAuthMethod(target.authMethod, ['basic']);
  const { properties, scope } = target;
  const ca = pemProperty(properties, 'ssl_ca');
  return {
    host: hostProperty(properties),
    port: portProperty(properties, 'port', POSTGRESQL_DEFAULT_PORT),
    username: requiredString(properties, 'username'),
    password: rawString(properties, 'password'),
    tls: { mode: sslModeProperty(properties, 'ssl_mode', 'prefer'), ...(ca ? { ca } : {}) },
    ...(Object.keys(scope).length === 0
      ? { database: 'postgres', schema: 'public', connectionLevel: true }
      : {
          database: requiredString(scope, 'database', 'scope'),
          schema: optionalString(scope, 'schema') ?? 'public',
          connectionLevel: false,
        }),
  };
}
