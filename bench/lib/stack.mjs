// What every end-to-end benchmark starts: a fresh controlplane database, a
// source database with one table, both services over mTLS, and the local
// PostgreSQL's credentials. `close()` stops and drops all of it.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
export const testing = require(join(root, 'libs/testing/dist'));

export const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);

export async function startBenchStack(extra = {}) {
  const controlplaneDb = await testing.createPostgresDatabase('plb_bench_cp');
  const sourceDb = await testing.createPostgresDatabase('plb_bench_src');
  await testing.postgresAdmin(
    (c) => c.query(`CREATE SCHEMA bench; CREATE TABLE bench.events (id int PRIMARY KEY, payload text)`),
    sourceDb.name,
  );
  const pgUrl = new URL(await testing.serviceUrl('postgres'));
  const stack = await testing.startPlumblineStack({
    databaseUrl: controlplaneDb.url,
    // Production log level: the services' own per-call logging is part of what is measured.
    controlplaneEnv: { PLUMBLINE_LOG_LEVEL: 'info', ...extra.controlplaneEnv },
    dataplaneEnv: { PLUMBLINE_LOG_LEVEL: 'info', ...extra.dataplaneEnv },
  });
  return {
    stack,
    api: stack.clients(),
    sourceDb,
    controlplaneDbUrl: controlplaneDb.url,
    scope: { database: sourceDb.name, schema: 'bench' },
    postgres: {
      host: pgUrl.hostname,
      port: pgUrl.port || '5432',
      username: decodeURIComponent(pgUrl.username) || 'postgres',
      password: decodeURIComponent(pgUrl.password),
    },
    async close() {
      await stack.stop();
      await controlplaneDb.drop();
      await sourceDb.drop();
    },
  };
}
