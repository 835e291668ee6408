import { type Socket } from 'node:net';
import { Client, escapeIdentifier } from 'pg';
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
  type StepOutcome,
} from '../probe';
import { parsePostgresqlTarget, type PostgresqlConfig } from './postgresql.config';
import {
  classifyPostgresqlLoginError,
  classifyPostgresqlQueryError,
  type PostgresqlErrorContext,
} from './postgresql.errors';
import { profilePostgresql } from './postgresql.profile';
import { scanPostgresql } from './postgresql.scan';
import { withPostgresqlSession } from './postgresql.session';
import { syncPostgresql } from './postgresql.sync';
import { alreadyConnected, closeQuietly, negotiateTls } from './postgresql.transport';

const { StepName, TestErrorCode } = dataplane;

/** Shown in pg_stat_activity while the check runs. */
const APPLICATION_NAME = 'plumbline-connection-test';

/**
 * PostgreSQL connectivity check: DNS, TCP, TLS negotiation (SSLRequest, then a
 * handshake with the configured verification), login with `pg`, then the scope
 * (database, schema) and privileges (USAGE, catalog, SELECT on the first
 * table). It makes ONE connection: the TCP probe is negotiated by hand and then
 * handed to the driver, as PostgreSQL allows a StartupMessage to follow an
 * SSLRequest on the same connection. So the check costs the server one
 * backend, like any client's connect, and each step is timed on the real path.
 */
export class PostgresqlConnector implements Connector {
  readonly id = 'postgresql';

  sync(target: ConnectorTarget, options: RunOptions): Promise<SyncResult> {
    return withPostgresqlSession(target, options, (session) => syncPostgresql(session));
  }

  profile(target: ConnectorTarget, input: ProfileInput, options: RunOptions): Promise<ProfileResult> {
    return withPostgresqlSession(target, options, (session) => profilePostgresql(session, input));
  }

  scan(target: ConnectorTarget, input: ScanInput, options: RunOptions): Promise<ScanResult> {
    return withPostgresqlSession(target, options, (session) => scanPostgresql(session, input));
  }

  async test(target: ConnectorTarget, options: TestOptions): Promise<dataplane.ConnectionTestResult> {
    const prepared = prepareTest(target, options, () => parsePostgresqlTarget(target));
    if (prepared.verdict) return prepared.verdict;
    const { config, run } = prepared;

    const open: { probe?: Socket; secure?: Socket; client?: Client } = {};
    try {
      return await runSteps(SQL_TEST_PLAN, run, async (step) => {
        const { endpoint, socket: probe } = await reachEndpoint(step, config.host, config.port);
        open.probe = probe;

        const tls = await step(StepName.TLS, (context) => negotiateTls(probe, config, endpoint, context), {
          onTimeout: () =>
            new StepError(
              TestErrorCode.TIMEOUT,
              `${endpoint.described} accepted the TCP connection but did not answer the TLS request in time`,
              `check that port ${config.port} serves PostgreSQL and is not behind a proxy that holds connections; ${endpoint.allowRule}`,
            ),
        });
        open.secure = tls.socket;

        const errorContext: PostgresqlErrorContext = {
          endpoint,
          username: config.username,
          database: config.database,
          tls: config.tls,
          encrypted: tls.useTls,
          serverOffersTls: tls.offered,
        };
        const transport = tls.useTls ? 'over TLS' : 'without TLS';

        // A failure the server reported after accepting the credentials, shown at SCOPE_PROBE.
        const scopeFailure = await step(
          StepName.AUTHENTICATE,
          async (context) => {
            const client = new Client({
              host: endpoint.ip,
              port: config.port,
              user: config.username,
              // A function, so pg never falls back to PGPASSWORD or ~/.pgpass for an empty password.
              password: () => config.password,
              database: config.database,
              // TLS, when used, is already up on this socket: pg speaks plain protocol over it.
              stream: () => alreadyConnected(tls.socket),
              ssl: false,
              connectionTimeoutMillis: context.remainingMs(),
              statement_timeout: context.remainingMs(),
              lock_timeout: context.remainingMs(),
              query_timeout: context.remainingMs(),
              application_name: APPLICATION_NAME,
              keepAlive: false,
            });
            // pg emits 'error' on the client for failures outside a query; unheard, that crashes the process.
            client.on('error', () => undefined);
            open.client = client;
            try {
              await client.connect();
            } catch (error) {
              const classified = classifyPostgresqlLoginError(error, errorContext);
              if (!classified.afterAuthentication) throw classified.error;
              if (config.connectionLevel) {
                // The password was accepted; which database we knocked on does not matter here.
                return passed(`${config.username} authenticated at ${endpoint.described} ${transport}`, undefined, undefined);
              }
              return passed(
                `${config.username} authenticated at ${endpoint.described} ${transport}; the server then refused the session (see the scope check)`,
                undefined,
                classified.error,
              );
            }
            return passed(`logged in to ${endpoint.described} as ${config.username} ${transport}`, undefined, undefined);
          },
          {
            onTimeout: () =>
              new StepError(
                TestErrorCode.TIMEOUT,
                `${endpoint.described} did not complete the login of ${config.username} before the deadline`,
                `the server or the network path is slow or dropping packets: ${endpoint.allowRule}; check the server's load and authentication setup (e.g. an unreachable LDAP/RADIUS)`,
              ),
          },
        );
        const client = open.client;
        if (!client) throw new Error('login passed without a client');

        const queryFailure = (doing: string) => (error: unknown) =>
          classifyPostgresqlQueryError(error, errorContext, doing);

        if (config.connectionLevel) {
          await skipScopeSteps(step);
          return `connected to ${endpoint.described} as ${config.username} ${transport} (connection-level check)`;
        }

        const facts = await step(
          StepName.SCOPE_PROBE,
          async () => {
            if (scopeFailure) throw scopeFailure;
            return checkScope(client, config, endpoint);
          },
          { classify: queryFailure('checking the database and schema'), onTimeout: () => timeoutError(endpoint, 'checking the scope') },
        );

        await step(StepName.PRIVILEGE_PROBE, () => checkPrivileges(client, config, endpoint, facts), {
          classify: queryFailure('checking privileges'),
          onTimeout: () => timeoutError(endpoint, 'checking privileges'),
        });

        return `connected to ${endpoint.described} as ${config.username} ${transport}; database '${config.database}', schema '${config.schema}' readable`;
      });
    } finally {
      // The verdict does not wait for the goodbye: closing finishes in the background.
      void closeQuietly(open.client).finally(() => {
        open.secure?.destroy();
        open.probe?.destroy();
      });
    }
  }
}

/** What one catalog round trip tells about the scope and the role's rights in it. */
interface ScopeFacts {
  database: string;
  schemaExists: boolean;
  usage: boolean;
  /** Tables and views in the schema, and how many of them the role may SELECT from. */
  total: number;
  selectable: number;
  /** The first relation by name (pg_class lists also those the role may not read): the SELECT probe. */
  first: string | null;
}

/**
 * SCOPE_PROBE: one query answers SELECT 1, which database this is, whether the
 * schema exists, and the privilege facts the next step judges. pg_catalog, not
 * information_schema: its views cost milliseconds on a fresh backend.
 */
async function checkScope(client: Client, config: PostgresqlConfig, endpoint: Endpoint): Promise<StepOutcome<ScopeFacts>> {
  const { rows } = await client.query<{
    one: number;
    database: string;
    schema_exists: boolean;
    usage: boolean | null;
    total: number;
    selectable: number;
    first: string | null;
  }>(
    `SELECT 1 AS one,
            current_database() AS database,
            n.oid IS NOT NULL AS schema_exists,
            has_schema_privilege(n.oid, 'USAGE') AS usage,
            count(c.oid)::int AS total,
            (count(c.oid) FILTER (WHERE has_table_privilege(c.oid, 'SELECT')))::int AS selectable,
            min(c.relname COLLATE "C") AS first
       FROM (SELECT 1) AS always
       LEFT JOIN pg_namespace n ON n.nspname = $1
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm')
      GROUP BY n.oid`,
    [config.schema],
  );
  const row = rows[0];
  if (row?.one !== 1) throw new Error('SELECT 1 returned no row');
  if (!row.schema_exists) {
    const { rows: schemas } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
        ORDER BY nspname LIMIT 20`,
    );
    const known = schemas.map((s) => s.nspname).join(', ') || 'none';
    throw new StepError(
      TestErrorCode.SCHEMA_NOT_FOUND,
      `schema '${config.schema}' does not exist in database '${row.database}' on ${endpoint.label}`,
      `check the datastore's schema name (case-sensitive); schemas there: ${known}`,
    );
  }
  return passed(`database '${row.database}' and schema '${config.schema}' exist on ${endpoint.label}`, undefined, {
    database: row.database,
    schemaExists: true,
    usage: row.usage === true,
    total: row.total,
    selectable: row.selectable,
    first: row.first,
  });
}

/** PRIVILEGE_PROBE: USAGE on the schema, the catalog read above, and a real SELECT on the first relation. */
async function checkPrivileges(client: Client, config: PostgresqlConfig, endpoint: Endpoint, facts: ScopeFacts) {
  const { schema, username } = config;
  const grantee = escapeIdentifier(username);
  const quotedSchema = escapeIdentifier(schema);
  if (!facts.usage) {
    throw new StepError(
      TestErrorCode.PERMISSION_DENIED,
      `${username} has no USAGE privilege on schema '${schema}' on ${endpoint.label}`,
      `GRANT USAGE ON SCHEMA ${quotedSchema} TO ${grantee}`,
    );
  }
  if (facts.first === null) {
    return passed(
      `${username} can use schema '${schema}' and read its catalog; it has no table or view, so there was nothing to SELECT from`,
    );
  }

  const relation = `${quotedSchema}.${escapeIdentifier(facts.first)}`;
  const coverage = `SELECT allowed on ${facts.selectable} of ${facts.total} tables/views in '${schema}'`;
  try {
    await client.query(`SELECT * FROM ${relation} LIMIT 0`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '42501') throw error;
    throw new StepError(
      TestErrorCode.PERMISSION_DENIED,
      `${username} cannot SELECT from ${relation} on ${endpoint.label} (${coverage})`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${quotedSchema} TO ${grantee}`,
    );
  }
  return passed(`${username} can read the catalog of '${schema}' and SELECT from ${relation} (${coverage})`);
}
