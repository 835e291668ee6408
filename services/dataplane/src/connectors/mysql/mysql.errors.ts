import { dataplane } from '@plumbline/proto';
import {
  certificateProblemOf,
  errnoOf,
  errorCodeOf,
  errorMessageOf,
  networkError,
  StepError,
  timeoutError,
  tlsError,
  type Endpoint,
  type TlsSettings,
} from '../probe';
import { quoteMysqlIdentifier } from './mysql.protocol';

const { StepName, TestErrorCode } = dataplane;

/** What the classifier needs to know about the attempt that failed. */
export interface MysqlErrorContext {
  readonly endpoint: Endpoint;
  readonly username: string;
  readonly database: string;
  readonly tls: TlsSettings;
  /** The server's greeting offered TLS; undefined when not read (ssl_mode disable). */
  readonly serverOffersTls: boolean | undefined;
}

/** Server error numbers (MySQL and MariaDB share these). */
export const MysqlErrno = {
  CON_COUNT_ERROR: 1040,
  DBACCESS_DENIED_ERROR: 1044,
  ACCESS_DENIED_ERROR: 1045,
  BAD_DB_ERROR: 1049,
  HOST_IS_BLOCKED: 1129,
  HOST_NOT_PRIVILEGED: 1130,
  TABLEACCESS_DENIED_ERROR: 1142,
  COLUMNACCESS_DENIED_ERROR: 1143,
  SPECIFIC_ACCESS_DENIED_ERROR: 1227,
  NOT_SUPPORTED_AUTH_MODE: 1251,
  ACCESS_DENIED_NO_PASSWORD_ERROR: 1698,
  MUST_CHANGE_PASSWORD: 1820,
  MUST_CHANGE_PASSWORD_LOGIN: 1862,
  /** MariaDB max_statement_time. */
  STATEMENT_TIMEOUT: 1969,
  /** MySQL max_execution_time. */
  QUERY_TIMEOUT: 3024,
  ACCOUNT_HAS_BEEN_LOCKED: 3118,
  SECURE_TRANSPORT_REQUIRED: 3159,
  /** MariaDB: "Access denied, this account is locked". */
  MARIADB_ACCOUNT_LOCKED: 4151,
} as const;

const userAt = (context: MysqlErrorContext) => `'${context.username}'@${context.endpoint.label}`;
const accountFor = (context: MysqlErrorContext) =>
  `'${context.username}'@'${context.endpoint.sourceAddress ?? '%'}'`;

/**
 * Server errors that can happen at login or on the first statements, and the
 * step they are reported at:
 * - 1045/1698/1130/locked/expired: AUTHENTICATE (the credentials or account).
 * - 3159 (the server wants TLS): TLS, as TLS_REQUIRED.
 * - 1049 unknown database / 1044 no rights on it: the login does not name a
 *   database, so these come from `USE` in SCOPE_PROBE, after authentication.
 */
export function classifyMysqlError(error: unknown, context: MysqlErrorContext, doing: string): StepError {
  const { endpoint } = context;
  const errno = errnoOf(error);
  switch (errno) {
    case MysqlErrno.ACCESS_DENIED_ERROR:
    case MysqlErrno.ACCESS_DENIED_NO_PASSWORD_ERROR:
      return new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        `access denied for ${userAt(context)} (wrong password, or no account for this user from the dataplane's address)`,
        `check the username and password, and that an account ${accountFor(context)} (or '${context.username}'@'%') exists`,
      );
    case MysqlErrno.HOST_NOT_PRIVILEGED:
      return new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        `${endpoint.label} accepts no account from the dataplane's address ${endpoint.sourceAddress ?? ''}`.trimEnd(),
        `create the user for this address, e.g. CREATE USER ${accountFor(context)}, or use a host pattern that matches it`,
      );
    case MysqlErrno.ACCOUNT_HAS_BEEN_LOCKED:
    case MysqlErrno.MARIADB_ACCOUNT_LOCKED:
      return new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        `the account ${userAt(context)} is locked`,
        `ALTER USER ${accountFor(context)} ACCOUNT UNLOCK, or use another account`,
      );
    case MysqlErrno.MUST_CHANGE_PASSWORD:
    case MysqlErrno.MUST_CHANGE_PASSWORD_LOGIN:
      return new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        `the password of ${userAt(context)} has expired`,
        'set a new password for the account and update the connection',
      );
    case MysqlErrno.NOT_SUPPORTED_AUTH_MODE:
      return new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        `${endpoint.label} wants an authentication plugin for ${context.username} that the driver does not support`,
        'use mysql_native_password or caching_sha2_password for this account',
      );
    case MysqlErrno.SECURE_TRANSPORT_REQUIRED:
      return new StepError(
        TestErrorCode.TLS_REQUIRED,
        `${endpoint.label} requires TLS (require_secure_transport) and the login was unencrypted`,
        context.serverOffersTls === false
          ? 'the server requires TLS but does not offer it: fix its TLS configuration'
          : 'set ssl_mode to require, verify-ca or verify-full',
        { reportAt: StepName.TLS },
      );
    case MysqlErrno.BAD_DB_ERROR:
      return new StepError(
        TestErrorCode.DATABASE_NOT_FOUND,
        `database '${context.database}' does not exist on ${endpoint.label}`,
        "check the datastore's database name (it may be case-sensitive, depending on lower_case_table_names)",
      );
    case MysqlErrno.DBACCESS_DENIED_ERROR:
      return new StepError(
        TestErrorCode.PERMISSION_DENIED,
        `${userAt(context)} has no privileges on database '${context.database}' (or it does not exist: MySQL does not tell users without rights)`,
        `check the database name; GRANT SELECT ON ${quoteMysqlIdentifier(context.database)}.* TO ${accountFor(context)}`,
      );
    case MysqlErrno.TABLEACCESS_DENIED_ERROR:
    case MysqlErrno.COLUMNACCESS_DENIED_ERROR:
    case MysqlErrno.SPECIFIC_ACCESS_DENIED_ERROR:
      return new StepError(
        TestErrorCode.PERMISSION_DENIED,
        `${userAt(context)} was denied while ${doing}`,
        `GRANT SELECT ON ${quoteMysqlIdentifier(context.database)}.* TO ${accountFor(context)}`,
      );
    case MysqlErrno.HOST_IS_BLOCKED:
      return new StepError(
        TestErrorCode.CONNECTION_REFUSED,
        `${endpoint.label} blocks the dataplane's address after too many interrupted connections`,
        'ask the DBA to run FLUSH HOSTS (or mysqladmin flush-hosts) and check what else connects from this address',
      );
    case MysqlErrno.CON_COUNT_ERROR:
      return new StepError(
        TestErrorCode.CONNECTION_REFUSED,
        `${endpoint.label} refused the session: too many connections`,
        "retry later, or ask the DBA to raise max_connections or the account's connection limit",
      );
    case MysqlErrno.STATEMENT_TIMEOUT:
    case MysqlErrno.QUERY_TIMEOUT:
      return timeoutError(endpoint, doing);
    case undefined:
      break;
    default:
      return new StepError(
        TestErrorCode.INTERNAL,
        `${endpoint.label} answered error ${errno} while ${doing}: ${errorMessageOf(error)}`,
        'look the error number up in the MySQL / MariaDB documentation, or report it with this message',
      );
  }

  const code = errorCodeOf(error);
  const message = errorMessageOf(error);
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new StepError(
      TestErrorCode.TLS_FAILED,
      `${endpoint.described}: server does not offer TLS`,
      'enable TLS on the server, or set ssl_mode to prefer or disable',
      { reportAt: StepName.TLS },
    );
  }
  if (code === 'HANDSHAKE_SSL_ERROR' || certificateProblemOf(error)) {
    return tlsError(error, endpoint, context.tls, { reportAt: StepName.TLS });
  }
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT' || (code === 'ETIMEDOUT' && message === 'connect ETIMEDOUT')) {
    return timeoutError(endpoint, doing);
  }
  if (/authentication plugin|auth.*plugin/i.test(message)) {
    return new StepError(
      TestErrorCode.AUTHENTICATION_FAILED,
      `${endpoint.label} wants an authentication plugin for ${context.username} that the driver does not support`,
      'use mysql_native_password or caching_sha2_password for this account',
    );
  }
  const network = networkError(endpoint, error, doing);
  if (network) return network;
  if (code === 'PROTOCOL_CONNECTION_LOST') {
    return new StepError(
      TestErrorCode.CONNECTION_REFUSED,
      `${endpoint.described} closed the connection while ${doing}`,
      `check the server log; it may limit connections from this address. ${endpoint.allowRule}`,
    );
  }
  return new StepError(
    TestErrorCode.INTERNAL,
    `unexpected error from ${endpoint.label} while ${doing}: ${message}`,
    'this is likely an unusual server answer or a Plumbline bug; report it with this message',
  );
}
