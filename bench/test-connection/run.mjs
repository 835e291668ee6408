#!/usr/bin/env node
// bench:test-connection — end-to-end Test Connection of a saved datastore
// (client → controlplane → dataplane → PostgreSQL, all over mTLS) against the
// floor of a bare `pg` connect + SELECT 1 from Node, in the same run.
// Last line: RATIO test_connection_p50 <ours p50 / floor p50>.
import { createRequire } from 'node:module';
import { fmt, interleaved } from '../lib/stats.mjs';
import { ITERATIONS, WARMUP, startBenchStack } from '../lib/stack.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const bench = await startBenchStack();
const { api, stack, sourceDb, scope } = bench;
const properties = bench.postgres;
try {
  const { datastore } = await api.datastores.createDatastore({
    name: 'bench',
    connection: { case: 'newConnection', value: { name: 'bench', connector: 'postgresql', properties } },
    scope,
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
  const target = { connector: 'postgresql', authMethod: 'basic', properties, scope };
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
  await bench.close();
}
