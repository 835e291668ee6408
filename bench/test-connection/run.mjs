#!/usr/bin/env node
// bench:test-connection — end-to-end Test Connection of a saved datastore
// (client → controlplane → dataplane → PostgreSQL, all over mTLS) against the
// floor of a bare `pg` connect + SELECT 1 from Node, in the same run.
// Last line: RATIO test_connection_p50 <ours p50 / floor p50>.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved } from '../lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const testing = require(join(root, 'libs/testing/dist'));
const { Client } = require('pg');

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);

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
  controlplaneEnv: { PLUMBLINE_LOG_LEVEL: 'info' },
  dataplaneEnv: { PLUMBLINE_LOG_LEVEL: 'info' },
});
try {
  const api = stack.clients();
  const properties = {
    host: pgUrl.hostname,
    port: pgUrl.port || '5432',
    username: decodeURIComponent(pgUrl.username) || 'postgres',
    password: decodeURIComponent(pgUrl.password),
  };
  const { datastore } = await api.datastores.createDatastore({
    name: 'bench',
    connection: { case: 'newConnection', value: { name: 'bench', connector: 'postgresql', properties } },
    scope: { database: sourceDb.name, schema: 'bench' },
  });

  const ours = async () => {
    const { result } = await api.datastores.testDatastore({ id: datastore.id });
    if (!result.ok) throw new Error(`test failed: ${result.summary}`);
  };
  const floor = async () => {
    const client = new Client({
      host: properties.host,
      port: Number(properties.port),
      user: properties.username,
      password: properties.password || undefined,
      database: sourceDb.name,
    });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  };

  const { ours: o, floor: f } = await interleaved({ ours, floor, warmup: WARMUP, iterations: ITERATIONS, rounds: 10 });

  // Where the time goes: the dataplane's check called directly (one mTLS hop),
  // and one mTLS round trip that does no work (an invalid target is refused at once).
  const dataplaneClient = stack.dataplaneClient('controlplane');
  const target = { connector: 'postgresql', authMethod: 'basic', properties, scope: { database: sourceDb.name, schema: 'bench' } };
  const { ours: direct, floor: hop } = await interleaved({
    ours: () => dataplaneClient.testConnection({ target, timeoutMs: 5_000 }),
    floor: () => dataplaneClient.testConnection({ target: { connector: 'postgresql', properties: {}, scope: {} } }),
    warmup: WARMUP,
    iterations: 200,
    rounds: 4,
  });

  console.log(`Test Connection, saved datastore, end to end over mTLS (n=${o.n}): p50 ${fmt(o.p50)}  p99 ${fmt(o.p99)}`);
  console.log(`floor: bare pg connect + SELECT 1             (n=${f.n}): p50 ${fmt(f.p50)}  p99 ${fmt(f.p99)}`);
  console.log(`  breakdown: dataplane check called directly  p50 ${fmt(direct.p50)}; one empty mTLS gRPC round trip p50 ${fmt(hop.p50)}`);
  console.log(`p99 ratio ${(o.p99 / f.p99).toFixed(2)}`);
  console.log(`RATIO test_connection_p50 ${(o.p50 / f.p50).toFixed(2)}`);
} finally {
  await stack.stop();
  await controlplaneDb.drop();
  await sourceDb.drop();
}
