import { escapeIdentifier } from 'pg';
import { dataplane } from '@plumbline/proto';
import {
  certificateProblemOf,
  errorCodeOf,
  errorMessageOf,
  isTlsProtocolError,
  networkError,
  StepError,
  timeoutError,
  tlsError,
  type Endpoint,
  type TlsSettings,
} from '../probe';

const { StepName, TestErrorCode } = dataplane;

/** What the classifier needs to know about the attempt that failed. */
export interface PostgresqlErrorContext {
  readonly endpoint: Endpoint;
  readonly username: string;
  readonly database: string;
  readonly tls: TlsSettings;
  /** The login ran over TLS. */
  readonly encrypted: boolean;
  /** The server's answer to the SSLRequest; undefined when TLS was not probed (ssl_mode disable). */
  readonly serverOffersTls: boolean | undefined;
}

export interface ClassifiedLoginError {
  readonly error: StepError;
  /**
   * The server had accepted the credentials before it failed the login. The
   * backend authenticates first and only then looks up the database and checks
   * CONNECT (InitPostgres), so 3D000 and a CONNECT denial mean authentication
   * passed and the failure belongs to the scope check.
   */
  readonly afterAuthentication: boolean;
}

/** The SQLSTATE of a server error (pg's DatabaseError), if `error` is one. */
function sqlStateOf(error: unknown): string | undefined {
  const code = errorCodeOf(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const userAt = (context: PostgresqlErrorContext) => `${context.username}@${context.endpoint.label}`;

function pgHbaHint(context: PostgresqlErrorContext): string {
  const from = context.endpoint.sourceAddress ?? "this dataplane's address";
  return `ask the DBA to add a pg_hba.conf rule allowing user ${context.username} from ${from} to database ${context.database}`;
}

/** Failures of the driver's login (AUTHENTICATE). */
export function classifyPostgresqlLoginError(error: unknown, context: PostgresqlErrorContext): ClassifiedLoginError {
  const atLogin = (stepError: StepError): ClassifiedLoginError => ({ error: stepError, afterAuthentication: false });
  const message = errorMessageOf(error);
  const { endpoint } = context;

  switch (sqlStateOf(error)) {
    case '28P01':
      return atLogin(
        new StepError(
          TestErrorCode.AUTHENTICATION_FAILED,
          `password authentication failed for ${userAt(context)}`,
          'check the username and password (passwords are case-sensitive)',
        ),
      );
    case '28000':
      return atLogin(invalidAuthorization(message, context));
    case '3D000':
      return {
        afterAuthentication: true,
        error: new StepError(
          TestErrorCode.DATABASE_NOT_FOUND,
          `database '${context.database}' does not exist on ${endpoint.label}`,
          "check the datastore's database name (it is case-sensitive)",
        ),
      };
    case '42501':
      return {
        afterAuthentication: true,
        error: new StepError(
          TestErrorCode.PERMISSION_DENIED,
          `${context.username} may not connect to database '${context.database}' on ${endpoint.label}`,
          `GRANT CONNECT ON DATABASE ${escapeIdentifier(context.database)} TO ${escapeIdentifier(context.username)}`,
        ),
      };
    case '53300':
      return atLogin(
        new StepError(
          TestErrorCode.CONNECTION_REFUSED,
          `${endpoint.label} refused the session: too many connections`,
          "retry later, or ask the DBA to raise max_connections or the role's connection limit",
        ),
      );
    case '57P03':
      return atLogin(
        new StepError(
          TestErrorCode.CONNECTION_REFUSED,
          `${endpoint.label} is not accepting connections yet (starting up, shutting down or in recovery)`,
          'retry in a moment',
        ),
      );
    case undefined:
      break;
    default:
      return atLogin(serverError(error, context, 'logging in'));
  }

  if (message.startsWith('SASL:') || message.includes('client password must be')) {
    return atLogin(
      new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        message.includes('client password must be')
          ? `${endpoint.label} requires a password for ${context.username} and none was given`
          : `the login of ${userAt(context)} failed during the password exchange (${message})`,
        'set the password of the connection',
      ),
    );
  }
  if (message === 'timeout expired' || message.includes('connection timeout')) {
    return atLogin(timeoutError(endpoint, 'logging in'));
  }
  if (message.includes('does not support SSL')) {
    return atLogin(
      new StepError(
        TestErrorCode.TLS_FAILED,
        `${endpoint.described}: server does not offer TLS`,
        'enable TLS on the server, or set ssl_mode to prefer or disable',
        { reportAt: StepName.TLS },
      ),
    );
  }
  if (certificateProblemOf(error) || isTlsProtocolError(error)) {
    return atLogin(tlsError(error, endpoint, context.tls, { reportAt: StepName.TLS }));
  }
  const network = networkError(endpoint, error, 'logging in');
  if (network) return atLogin(network);
  if (message.startsWith('Connection terminated')) {
    return atLogin(
      new StepError(
        TestErrorCode.CONNECTION_REFUSED,
        `${endpoint.described} closed the connection during login`,
        `check the server log; it may limit connections from this address. ${endpoint.allowRule}`,
      ),
    );
  }
  return atLogin(unexpected(error, 'logging in', context));
}

/** SQLSTATE 28000: pg_hba.conf said no, or the role cannot log in. */
function invalidAuthorization(message: string, context: PostgresqlErrorContext): StepError {
  const { endpoint } = context;
  // "no pg_hba.conf entry ..." (no rule matched) or "pg_hba.conf rejects connection ..." (a hostnossl reject rule).
  const hbaRefusal = message.includes('no pg_hba.conf entry') || message.includes('pg_hba.conf rejects connection');
  if (hbaRefusal && message.includes('no encryption') && !context.encrypted) {
    if (context.serverOffersTls === false) {
      return new StepError(
        TestErrorCode.AUTHENTICATION_FAILED,
        `${endpoint.label} has no pg_hba.conf rule for ${context.username} from this address (the server offers no TLS either)`,
        pgHbaHint(context),
      );
    }
    return new StepError(
      TestErrorCode.TLS_REQUIRED,
      `${endpoint.label} rejected an unencrypted login of ${context.username} (no pg_hba.conf rule without TLS)`,
      `set ssl_mode to require or verify-full; if TLS logins are refused too, ${pgHbaHint(context)}`,
      { reportAt: StepName.TLS },
    );
  }
  if (message.includes('pg_hba.conf')) {
    return new StepError(
      TestErrorCode.AUTHENTICATION_FAILED,
      `${endpoint.label} has no pg_hba.conf rule admitting ${context.username} from this address`,
      pgHbaHint(context),
    );
  }
  if (/role .* does not exist/.test(message)) {
    return new StepError(
      TestErrorCode.AUTHENTICATION_FAILED,
      `role '${context.username}' does not exist on ${endpoint.label}`,
      'check the username (it is case-sensitive)',
    );
  }
  if (message.includes('not permitted to log in')) {
    return new StepError(
      TestErrorCode.AUTHENTICATION_FAILED,
      `role '${context.username}' is not permitted to log in on ${endpoint.label}`,
      `ALTER ROLE ${escapeIdentifier(context.username)} LOGIN, or use a role that can log in`,
    );
  }
  return new StepError(
    TestErrorCode.AUTHENTICATION_FAILED,
    `${endpoint.label} rejected the login of ${context.username}: ${message}`,
    "check the username, password and the server's authentication rules",
  );
}

function serverError(error: unknown, context: PostgresqlErrorContext, doing: string): StepError {
  return new StepError(
    TestErrorCode.INTERNAL,
    `${context.endpoint.label} answered SQLSTATE ${sqlStateOf(error)} while ${doing}: ${errorMessageOf(error)}`,
    'look the SQLSTATE up in the PostgreSQL documentation, or report it with this message',
  );
}

function unexpected(error: unknown, doing: string, context: PostgresqlErrorContext): StepError {
  return new StepError(
    TestErrorCode.INTERNAL,
    `unexpected error from ${context.endpoint.label} while ${doing}: ${errorMessageOf(error)}`,
    'this is likely an unusual server answer or a Plumbline bug; report it with this message',
  );
}

/** Failures of the scope and privilege queries. */
export function classifyPostgresqlQueryError(error: unknown, context: PostgresqlErrorContext, doing: string): StepError {
  const message = errorMessageOf(error);
  switch (sqlStateOf(error)) {
    case '42501':
      return new StepError(
        TestErrorCode.PERMISSION_DENIED,
        `${context.username} was denied while ${doing} on ${context.endpoint.label}: ${message}`,
        'grant the role USAGE on the schema and SELECT on its tables',
      );
    case '57014':
      return timeoutError(context.endpoint, doing);
    case '3F000':
      return new StepError(
        TestErrorCode.SCHEMA_NOT_FOUND,
        `the schema disappeared while ${doing} on ${context.endpoint.label}`,
        "check the datastore's schema name",
      );
    case undefined:
      break;
    default:
      return serverError(error, context, doing);
  }
  if (message === 'Query read timeout') return timeoutError(context.endpoint, doing);
  return networkError(context.endpoint, error, doing) ?? unexpected(error, doing, context);
}
