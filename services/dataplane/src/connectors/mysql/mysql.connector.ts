import { type Socket } from 'node:net';
import { type Connection, type RowDataPacket } from 'mysql2';
import { dataplane } from '@plumbline/proto';
import { type Connector, type ConnectorTarget, type RunOptions, type TestOptions } from '../connector';
import { type ProfileInput, type ProfileResult, type ScanInput, type ScanResult, type SyncResult } from '../operations/types';
import {
  Endpoint,
  passed,
  prepareTest,
  reachEndpoint,
  skipScopeSteps,
  runSteps,
  SQL_TEST_PLAN,
  StepError,
  timeoutError,
  type StepContext,
} from '../probe';
import { parseMysqlTarget, type MysqlConfig } from './mysql.config';
import { classifyMysqlError, type MysqlErrorContext } from './mysql.errors';
import { profileMysql } from './mysql.profile';
import { quoteMysqlIdentifier } from './mysql.protocol';
import { scanMysql } from './mysql.scan';
import { withMysqlSession } from './mysql.session';
import { syncMysql } from './mysql.sync';
import { closeQuietly, inspectGreeting, limitStatementTime, logIn, type Db } from './mysql.transport';

const { StepName, TestErrorCode } = dataplane;

/**
 * MySQL / MariaDB connectivity check over ONE connection: the TCP step's
 * socket is kept; the TLS step peeks at the server greeting (CLIENT_SSL) and
 * puts it back; mysql2 then logs in over that same socket, negotiating TLS
 * itself. A second, abandoned probe connection would count as an interrupted
 * handshake, and MySQL blocks a host after max_connect_errors of those.
 * Certificate failures therefore surface during the driver's login and are
 * reported at the TLS step (AUTHENTICATE is then SKIPPED).
 *
 * The login names no database; SCOPE_PROBE runs `USE`, so an unknown database
 * (1049) or one without rights (1044) is reported there, after authentication
 * genuinely passed.
 */
export class MysqlConnector implements Connector {
  readonly id = 'mysql';

  sync(target: ConnectorTarget, options: RunOptions): Promise<SyncResult> {
    return withMysqlSession(target, options, (session) => syncMysql(session));
  }

  profile(target: ConnectorTarget, input: ProfileInput, options: RunOptions): Promise<ProfileResult> {
    return withMysqlSession(target, options, (session) => profileMysql(session, input));
  }

  scan(target: ConnectorTarget, input: ScanInput, options: RunOptions): Promise<ScanResult> {
    return withMysqlSession(target, options, (session) => scanMysql(session, input));
  }

  async test(target: ConnectorTarget, options: TestOptions): Promise<dataplane.ConnectionTestResult> {
    const prepared = prepareTest(target, options, () => parseMysqlTarget(target));
    if (prepared.verdict) return prepared.verdict;
    const { config, run } = prepared;

    const open: { socket?: Socket; connection?: Connection } = {};
    try {
      return await runSteps(SQL_TEST_PLAN, run, async (step) => {
        const { endpoint, socket } = await reachEndpoint(step, config.host, config.port);
        open.socket = socket;

        const tls = await step(StepName.TLS, (context) => inspectGreeting(socket, config, endpoint, context), {
          onTimeout: () =>
            new StepError(
              TestErrorCode.TIMEOUT,
              `${endpoint.described} accepted the TCP connection but sent no MySQL greeting in time`,
              `check that port ${config.port} serves MySQL / MariaDB and is not behind a proxy that holds connections; ${endpoint.allowRule}`,
            ),
        });

        const errorContext: MysqlErrorContext = {
          endpoint,
          username: config.username,
          database: config.database,
          tls: config.tls,
          serverOffersTls: tls.greeting?.kind === 'handshake' ? tls.greeting.offersTls : undefined,
        };
        const transport = tls.useTls ? 'over TLS' : 'without TLS';
        const classify = (doing: string) => (error: unknown) => classifyMysqlError(error, errorContext, doing);

        const db = await step(
          StepName.AUTHENTICATE,
          async (context) => {
            const connection = await logIn(socket, config, tls.useTls, context, open);
            const promised = connection.promise();
            await limitStatementTime(promised, context);
            return passed(`logged in to ${endpoint.described} as ${config.username} ${transport}`, undefined, promised);
          },
          {
            classify: classify('logging in'),
            onTimeout: () =>
              new StepError(
                TestErrorCode.TIMEOUT,
                `${endpoint.described} did not complete the login of ${config.username} before the deadline`,
                `the server or the network path is slow or dropping packets: ${endpoint.allowRule}; check the server's load`,
              ),
          },
        );

        if (config.connectionLevel) {
          await skipScopeSteps(step);
          return `connected to ${endpoint.described} as ${config.username} ${transport} (connection-level check)`;
        }

        await step(StepName.SCOPE_PROBE, (context) => checkScope(db, config, endpoint, context), {
          classify: classify(`opening database '${config.database}'`),
          onTimeout: () => timeoutError(endpoint, 'checking the scope'),
        });

        await step(StepName.PRIVILEGE_PROBE, (context) => checkPrivileges(db, config, endpoint, context), {
          classify: classify('checking privileges'),
          onTimeout: () => timeoutError(endpoint, 'checking privileges'),
        });

        return `connected to ${endpoint.described} as ${config.username} ${transport}; database '${config.database}' readable`;
      });
    } finally {
      await closeQuietly(open.connection);
      open.socket?.destroy();
    }
  }
}

async function checkScope(db: Db, config: MysqlConfig, endpoint: Endpoint, context: StepContext) {
  const timeout = () => context.remainingMs();
  const [one] = await db.query<RowDataPacket[]>({ sql: 'SELECT 1 AS one', timeout: timeout() });
  if (Number(one[0]?.['one']) !== 1) throw new Error('SELECT 1 returned no row');
  // 1049 (no such database) and 1044 (no rights on it) surface here; see classifyMysqlError.
  await db.query({ sql: `USE ${quoteMysqlIdentifier(config.database)}`, timeout: timeout() });
  const [schemata] = await db.query<RowDataPacket[]>({
    sql: 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    values: [config.database],
    timeout: timeout(),
  });
  if (schemata.length === 0) {
    throw new StepError(
      TestErrorCode.DATABASE_NOT_FOUND,
      `database '${config.database}' is not listed in information_schema.SCHEMATA on ${endpoint.label}`,
      `check the database name, and grant ${config.username} a privilege on it`,
    );
  }
  return passed(`database '${config.database}' exists on ${endpoint.label} and ${config.username} can use it`);
}

async function checkPrivileges(db: Db, config: MysqlConfig, endpoint: Endpoint, context: StepContext) {
  const timeout = () => context.remainingMs();
  const database = quoteMysqlIdentifier(config.database);
  // The catalog a sync reads; MySQL lists only tables the account has some privilege on.
  const [catalog] = await db.query<RowDataPacket[]>({
    sql: `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?) AS tables,
                 (SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?) AS columns`,
    values: [config.database, config.database],
    timeout: timeout(),
  });
  const tables = Number(catalog[0]?.['tables'] ?? 0);
  const columns = Number(catalog[0]?.['columns'] ?? 0);
  const [first] = await db.query<RowDataPacket[]>({
    sql: 'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME LIMIT 1',
    values: [config.database],
    timeout: timeout(),
  });
  const name = first[0]?.['name'];
  if (typeof name !== 'string') {
    return passed(
      `${config.username} can read the catalog of '${config.database}'; no table or view is visible to it, so there was nothing to SELECT from`,
      `if '${config.database}' has tables, grant ${config.username} SELECT on them so a sync can see them`,
    );
  }
  const relation = `${database}.${quoteMysqlIdentifier(name)}`;
  try {
    await db.query({ sql: `SELECT * FROM ${relation} LIMIT 0`, timeout: timeout() });
  } catch (error) {
    const errno = (error as { errno?: unknown }).errno;
    if (errno !== 1142 && errno !== 1143) throw error;
    throw new StepError(
      TestErrorCode.PERMISSION_DENIED,
      `${config.username} cannot SELECT from ${relation} on ${endpoint.label}`,
      `GRANT SELECT ON ${database}.* TO '${config.username}'@'${endpoint.sourceAddress ?? '%'}'`,
    );
  }
  return passed(
    `${config.username} can read the catalog of '${config.database}' (${tables} tables, ${columns} columns visible) and SELECT from ${relation}`,
  );
}
