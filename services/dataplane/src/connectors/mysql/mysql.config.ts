import { type ConnectorTarget } from '../connector';
import {
  checkAuthMethod,
  hostProperty,
  pemProperty,
  portProperty,
  rawString,
  requiredString,
  sslModeProperty,
  type TlsSettings,
} from '../probe';

export const MYSQL_DEFAULT_PORT = 3306;

/** A MySQL / MariaDB target, read from the catalog's property names. */
export interface MysqlConfig {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** May be empty. Secret: never put it in a message. */
  readonly password: string;
  /** libpq-style ssl_mode names (verify-full is MySQL's VERIFY_IDENTITY). */
  readonly tls: TlsSettings;
  readonly database: string;
  /** No datastore scope at all: check reaching and logging in only (an orphaned connection's edit). */
  readonly connectionLevel: boolean;
}

/** Reads and checks the target; throws ConfigError naming the bad property. */
export function parseMysqlTarget(target: ConnectorTarget): MysqlConfig {
  checkAuthMethod(target.authMethod, ['basic']);
  const { properties, scope } = target;
  const ca = pemProperty(properties, 'ssl_ca');
  return {
    host: hostProperty(properties),
    port: portProperty(properties, 'port', MYSQL_DEFAULT_PORT),
    username: requiredString(properties, 'username'),
    password: rawString(properties, 'password'),
    tls: { mode: sslModeProperty(properties, 'ssl_mode', 'prefer'), ...(ca ? { ca } : {}) },
    ...(Object.keys(scope).length === 0
      ? { database: '', connectionLevel: true }
      : { database: requiredString(scope, 'database', 'scope'), connectionLevel: false }),
  };
}
