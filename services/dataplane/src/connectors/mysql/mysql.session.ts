import { type Socket } from 'node:net';
import { type Connection, type RowDataPacket } from 'mysql2';
import { type ConnectorTarget } from '../connector';
import { OperationError, OperationErrorCode } from '../operations/errors';
import { operationFailure } from '../operations/failures';
import { withRun, type OperationRun, type RunOptions } from '../operations/run';
import { connectTcp, Endpoint, errnoOf, errorCodeOf, errorMessageOf, resolveHost, secretValuesOf } from '../probe';
import { parseMysqlTarget, type MysqlConfig } from './mysql.config';
import { classifyMysqlError, MysqlErrno } from './mysql.errors';
import { closeQuietly, inspectGreeting, limitStatementTime, logIn } from './mysql.transport';

/** What the server is, for SQL that differs between MySQL and MariaDB. */
export interface MysqlServer {
  readonly mariadb: boolean;
  /** e.g. `10.11.19-MariaDB-0+deb12u1`, `8.0.36`. */
  readonly version: string;
  /** MariaDB ≥ 10.3.3 has PERCENTILE_CONT / PERCENTILE_DISC as window functions. */
  readonly percentileWindow: boolean;
}

export interface MysqlSession {
  readonly config: MysqlConfig;
  readonly server: MysqlServer;
  readonly run: OperationRun;
  query(sql: string, values?: readonly unknown[]): Promise<RowDataPacket[]>;
}

export function describeMysqlServer(version: string): MysqlServer {
  const mariadb = /mariadb/i.test(version);
  const [major = 0, minor = 0, patch = 0] = (/(\d+)\.(\d+)\.(\d+)/.exec(version.replace(/^5\.5\.5-/, '')) ?? [])
    .slice(1)
    .map(Number);
  const at = major * 10_000 + minor * 100 + patch;
  return { mariadb, version, percentileWindow: mariadb && at >= 100_303 };
}

/** Driver errors after login, by errno. */
export function classifyMysqlOperationError(error: unknown): OperationError | undefined {
  const errno = errnoOf(error);
  const message = errorMessageOf(error);
  switch (errno) {
    case MysqlErrno.TABLEACCESS_DENIED_ERROR:
    case MysqlErrno.COLUMNACCESS_DENIED_ERROR:
    case MysqlErrno.DBACCESS_DENIED_ERROR:
      return new OperationError(OperationErrorCode.PERMISSION_DENIED, message, 'grant SELECT on the database to the datastore user');
    case MysqlErrno.STATEMENT_TIMEOUT:
    case MysqlErrno.QUERY_TIMEOUT:
      return new OperationError(OperationErrorCode.DEADLINE_EXCEEDED, `the statement was stopped: ${message}`, 'allow a longer deadline or profile a sample');
    case 1146: // no such table
    case 1054: // unknown column
    case MysqlErrno.BAD_DB_ERROR:
      return new OperationError(OperationErrorCode.NOT_FOUND, message, 'sync the datastore: the catalog changed');
  }
  const code = errorCodeOf(error) ?? '';
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT') return new OperationError(OperationErrorCode.DEADLINE_EXCEEDED, 'a statement did not finish before the deadline');
  if (code.startsWith('PROTOCOL_') || code === 'ECONNRESET') return new OperationError(OperationErrorCode.UNAVAILABLE, `the connection failed: ${message}`);
  return undefined;
}

/**
 * Opens a connection the way `test` does (the connector's DNS resolution, TCP
 * probe, greeting inspection, then mysql2's login over that socket), sets the
 * server-side statement limit from the deadline and a read-only session, runs
 * `work`, and always closes. Aborting destroys the connection, ending a
 * running statement on the client side (the server stops it at its limit).
 */
export async function withMysqlSession<T>(
  target: ConnectorTarget,
  options: RunOptions,
  work: (session: MysqlSession) => Promise<T>,
): Promise<T> {
  const secrets = secretValuesOf(target.properties);
  return withRun(options, async (run) => {
    const open: { socket?: Socket; connection?: Connection } = {};
    const destroy = () => {
      open.connection?.destroy();
      open.socket?.destroy();
    };
    run.signal.addEventListener('abort', destroy, { once: true });
    try {
      const config = parseMysqlTarget(target);
      const context = run.stepContext();
      const resolved = (await resolveHost(config.host, context)).value;
      const endpoint = await Endpoint.resolved(config.host, config.port, resolved.ip);
      const socket = (await connectTcp(endpoint, context)).value;
      open.socket = socket;
      const tls = (await inspectGreeting(socket, config, endpoint, context)).value;
      const errorContext = {
        endpoint,
        username: config.username,
        database: config.database,
        tls: config.tls,
        serverOffersTls: tls.greeting?.kind === 'handshake' ? tls.greeting.offersTls : undefined,
      };
      let connection: Connection;
      try {
        connection = await logIn(socket, config, tls.useTls, context, open);
      } catch (error) {
        throw classifyMysqlError(error, errorContext, 'logging in');
      }
      const db = connection.promise();
      await limitStatementTime(db, context);
      await db.query({ sql: 'SET SESSION TRANSACTION READ ONLY', timeout: run.remainingMs() });
      const [versionRows] = await db.query<RowDataPacket[]>({ sql: 'SELECT VERSION() AS version', timeout: run.remainingMs() });
      const server = describeMysqlServer(String(versionRows[0]?.['version'] ?? ''));

      const session: MysqlSession = {
        config,
        server,
        run,
        async query(sql: string, values: readonly unknown[] = []) {
          run.checkpoint();
          // No mysql2 `timeout`: its timer outlives a destroyed connection. The run's guard
          // and the server's statement limit bound the wait instead.
          const [rows] = await run.guard(db.query<RowDataPacket[]>({ sql, values: [...values] }));
          return rows;
        },
      };
      return await work(session);
    } catch (error) {
      throw operationFailure(error, run, secrets, classifyMysqlOperationError);
    } finally {
      run.signal.removeEventListener('abort', destroy);
      await closeQuietly(open.connection);
      open.socket?.destroy();
    }
  });
}
