import { type Socket } from 'node:net';
import { isIP } from 'node:net';
import { createConnection, type Connection, type RowDataPacket, type SslOptions } from 'mysql2';
import { dataplane } from '@plumbline/proto';
import {
  decideTls,
  Endpoint,
  networkError,
  notApplicable,
  SocketClosedError,
  StepError,
  type StepContext,
  type StepOutcome,
  type TlsSettings,
} from '../probe';
import { type MysqlConfig } from './mysql.config';
import { classifyMysqlError } from './mysql.errors';
import { MalformedGreetingError, peekGreeting, type MysqlGreeting } from './mysql.protocol';

/*
 * The driver's connection, shared by the connection test (mysql.connector) and
 * the operations (mysql.session): reading the greeting on the TCP probe, the
 * mysql2 login over that socket (negotiating TLS), session limits, and closing.
 */

const { TestErrorCode } = dataplane;

/** How long closing a connection may delay the verdict. */
const CLOSE_GRACE_MS = 1_000;

export type Db = ReturnType<Connection['promise']>;

export interface TlsOutcome {
  readonly greeting: MysqlGreeting | undefined;
  readonly useTls: boolean;
}

/** mysql2's TLS options for libpq-style modes (verify-full is MySQL's VERIFY_IDENTITY). */
export function mysqlSslOptions(settings: TlsSettings): SslOptions {
  const verify = settings.mode === 'verify-ca' || settings.mode === 'verify-full';
  return {
    rejectUnauthorized: verify,
    verifyIdentity: settings.mode === 'verify-full',
    ...(settings.ca ? { ca: settings.ca } : {}),
  };
}

export async function inspectGreeting(
  socket: Socket,
  config: MysqlConfig,
  endpoint: Endpoint,
  context: StepContext,
): Promise<StepOutcome<TlsOutcome>> {
  if (config.tls.mode === 'disable') {
    return notApplicable<TlsOutcome>('ssl_mode is disable; TLS not attempted', { greeting: undefined, useTls: false });
  }
  let greeting: MysqlGreeting;
  try {
    greeting = await peekGreeting(socket, context.signal);
  } catch (error) {
    if (error instanceof SocketClosedError || error instanceof MalformedGreetingError) {
      throw new StepError(
        TestErrorCode.TLS_FAILED,
        `${endpoint.described} did not send a MySQL greeting (${error.message})`,
        `check that port ${config.port} serves MySQL / MariaDB`,
      );
    }
    throw networkError(endpoint, error, 'reading the server greeting') ?? error;
  }
  if (greeting.kind === 'error') {
    // Refused before any handshake (host not allowed or blocked, too many connections).
    throw classifyMysqlError(
      Object.assign(new Error(greeting.message), { errno: greeting.errno }),
      {
        endpoint,
        username: config.username,
        database: config.database,
        tls: config.tls,
        serverOffersTls: undefined,
      },
      'connecting',
    );
  }
  // MariaDB prefixes its version with "5.5.5-" for old clients.
  const server = greeting.serverVersion.replace(/^5\.5\.5-/, '');
  const decision = decideTls(config.tls, greeting.offersTls, endpoint, server);
  const message = decision.value
    ? `${decision.message}; it is negotiated at login with ${verificationOf(config.tls)}`
    : decision.message;
  return { ...decision, message, value: { greeting, useTls: decision.value } };
}

function verificationOf(settings: TlsSettings): string {
  switch (settings.mode) {
    case 'verify-full':
      return 'certificate and host name verification (verify-full)';
    case 'verify-ca':
      return 'certificate chain verification (verify-ca)';
    default:
      return `no certificate verification (ssl_mode ${settings.mode})`;
  }
}

/** mysql2 login over the already connected socket; resolves once authenticated. */
export function logIn(
  socket: Socket,
  config: MysqlConfig,
  useTls: boolean,
  context: StepContext,
  open: { connection?: Connection },
): Promise<Connection> {
  if (useTls && isIP(config.host)) {
    // Node checks the certificate against `servername`, else the socket's `_host`, else
    // 'localhost'. mysql2 passes no servername for an IP literal, so without this line
    // verify-full would accept any certificate naming localhost. The integration spec
    // "checks an IP literal against the IP" guards it.
    (socket as Socket & { _host?: string })._host = config.host;
  }
  return new Promise((resolve, reject) => {
    const connection = createConnection({
      // The configured host, for TLS SNI and verify-full; the bytes go over `stream`, to the resolved IP.
      host: config.host,
      port: config.port,
      stream: socket,
      user: config.username,
      password: config.password,
      ...(useTls ? { ssl: mysqlSslOptions(config.tls) } : {}),
      connectTimeout: context.remainingMs(),
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    // Fatal errors outside a query are emitted on the connection; unheard, they crash the process.
    connection.on('error', () => undefined);
    const onAbort = () => connection.destroy();
    context.signal.addEventListener('abort', onAbort, { once: true });
    connection.once('error', (error) => {
      context.signal.removeEventListener('abort', onAbort);
      // A failed login leaves nothing to end gracefully.
      connection.destroy();
      reject(error);
    });
    connection.once('connect', () => {
      context.signal.removeEventListener('abort', onAbort);
      open.connection = connection;
      resolve(connection);
    });
    // The greeting was put back on the paused socket; mysql2 listens now.
    socket.resume();
  });
}

/** Server-side statement limits, so a stuck query ends with the deadline (best effort). */
export async function limitStatementTime(db: Db, context: StepContext): Promise<void> {
  const [rows] = await db.query<RowDataPacket[]>({ sql: 'SELECT VERSION() AS version', timeout: context.remainingMs() });
  const version = String(rows[0]?.['version'] ?? '');
  const statement = version.includes('MariaDB')
    ? `SET SESSION max_statement_time = ${(context.remainingMs() / 1000).toFixed(3)}`
    : `SET SESSION max_execution_time = ${context.remainingMs()}`;
  try {
    await db.query({ sql: statement, timeout: context.remainingMs() });
  } catch {
    // Old servers lack the variable; the client-side timeouts still apply.
  }
}

export async function closeQuietly(connection: Connection | undefined): Promise<void> {
  if (!connection) return;
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => connection.end(() => resolve()));
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), CLOSE_GRACE_MS)));
  if (await Promise.race([ended.then(() => false), timedOut])) connection.destroy();
  clearTimeout(timer);
}
