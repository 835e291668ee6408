import { type Socket } from 'node:net';
import { Client, type QueryResultRow } from 'pg';
import { type ConnectorTarget } from '../connector';
import { OperationError, OperationErrorCode } from '../operations/errors';
import { operationFailure } from '../operations/failures';
import { withRun, type OperationRun, type RunOptions } from '../operations/run';
import { connectTcp, Endpoint, errorCodeOf, errorMessageOf, resolveHost, secretValuesOf } from '../probe';
import { parsePostgresqlTarget, type PostgresqlConfig } from './postgresql.config';
import { classifyPostgresqlLoginError } from './postgresql.errors';
import { alreadyConnected, closeQuietly, negotiateTls } from './postgresql.transport';

/** Shown in pg_stat_activity while an operation runs. */
const APPLICATION_NAME = 'plumbline-operation';

/** One operation's connection: statements run one at a time, each after a checkpoint. */
export interface PostgresqlSession {
  readonly config: PostgresqlConfig;
  readonly run: OperationRun;
  query<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

/** Driver errors after login, by SQLSTATE. */
export function classifyPostgresqlOperationError(error: unknown): OperationError | undefined {
  const code = errorCodeOf(error) ?? '';
  const message = errorMessageOf(error);
  if (code === '42501') return new OperationError(OperationErrorCode.PERMISSION_DENIED, message, 'grant SELECT on the table to the datastore user');
  if (code === '57014') {
    return new OperationError(OperationErrorCode.DEADLINE_EXCEEDED, `the statement was cancelled: ${message}`, 'allow a longer deadline or profile a sample');
  }
  if (code === '42P01' || code === '42703' || code === '3F000') {
    return new OperationError(OperationErrorCode.NOT_FOUND, message, 'sync the datastore: the catalog changed');
  }
  if (code.startsWith('08') || code === '57P01') return new OperationError(OperationErrorCode.UNAVAILABLE, `the connection failed: ${message}`);
  return undefined;
}

/**
 * Opens a connection the way `test` does (the connector's DNS resolution, TCP
 * probe and TLS negotiation, then `pg` over that socket), read-only, with
 * `statement_timeout` from the deadline; runs `work`; always closes. Closing
 * the socket on abort or at the deadline ends a running statement. Failures
 * are OperationErrors without secret values.
 */
export async function withPostgresqlSession<T>(
  target: ConnectorTarget,
  options: RunOptions,
  work: (session: PostgresqlSession) => Promise<T>,
): Promise<T> {
  const secrets = secretValuesOf(target.properties);
  return withRun(options, async (run) => {
    const open: { probe?: Socket; secure?: Socket; client?: Client } = {};
    const destroy = () => {
      open.secure?.destroy();
      open.probe?.destroy();
    };
    run.signal.addEventListener('abort', destroy, { once: true });
    try {
      const config = parsePostgresqlTarget(target);
      const context = run.stepContext();
      const resolved = (await resolveHost(config.host, context)).value;
      const endpoint = await Endpoint.resolved(config.host, config.port, resolved.ip);
      const probe = (await connectTcp(endpoint, context)).value;
      open.probe = probe;
      const tls = (await negotiateTls(probe, config, endpoint, context)).value;
      open.secure = tls.socket;
      run.checkpoint();

      const client = new Client({
        host: endpoint.ip,
        port: config.port,
        user: config.username,
        // A function, so pg never falls back to PGPASSWORD or ~/.pgpass.
        password: () => config.password,
        database: config.database,
        stream: () => alreadyConnected(tls.socket),
        ssl: false,
        connectionTimeoutMillis: run.remainingMs(),
        statement_timeout: run.remainingMs(),
        lock_timeout: run.remainingMs(),
        application_name: APPLICATION_NAME,
        // Sync, Profile and Scan only read. Every scan of a table starts at its first block, so the
        // statements of one profile with a record limit read the same first rows.
        options: '-c default_transaction_read_only=on -c synchronize_seqscans=off',
        keepAlive: false,
      });
      client.on('error', () => undefined);
      open.client = client;
      try {
        await client.connect();
      } catch (error) {
        throw classifyPostgresqlLoginError(error, {
          endpoint,
          username: config.username,
          database: config.database,
          tls: config.tls,
          encrypted: tls.useTls,
          serverOffersTls: tls.offered,
        }).error;
      }

      const session: PostgresqlSession = {
        config,
        run,
        async query<R extends QueryResultRow>(text: string, values: readonly unknown[] = []) {
          run.checkpoint();
          const result = await run.guard(client.query<R>(text, [...values]));
          return result.rows;
        },
      };
      return await work(session);
    } catch (error) {
      throw operationFailure(error, run, secrets, classifyPostgresqlOperationError);
    } finally {
      run.signal.removeEventListener('abort', destroy);
      await closeQuietly(open.client);
      destroy();
    }
  });
}
