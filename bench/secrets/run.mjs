#!/usr/bin/env node
// bench:secrets — Test Connection of a saved datastore whose username and
// password are `${}` references resolved through a Vault-compatible secrets
// manager on loopback (login + fetch on every use), against the same datastore
// with literal credentials, in the same run.
// Last line: RATIO secrets_overhead_p50 <with references p50 / without p50>.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved } from '../lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const testing = require(join(root, 'libs/testing/dist'));

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);

const controlplaneDb = await testing.createPostgresDatabase('plb_bench_cp');
const sourceDb = await testing.createPostgresDatabase('plb_bench_src');
await testing.postgresAdmin(
  (c) => c.query(`CREATE SCHEMA bench; CREATE TABLE bench.events (id int PRIMARY KEY, payload text)`),
  sourceDb.name,
);
const pgUrl = new URL(await testing.serviceUrl('postgres'));
const user = decodeURIComponent(pgUrl.username) || 'postgres';
const password = decodeURIComponent(pgUrl.password);
const vault = await testing.startVaultFake({
  users: { bench: 'bench-vault-password' },
  secrets: { 'bench/pg': { pg_user: user, pg_password: password } },
});
const stack = await testing.startPlumblineStack({
  databaseUrl: controlplaneDb.url,
  controlplaneEnv: { PLUMBLINE_LOG_LEVEL: 'info' },
  dataplaneEnv: { PLUMBLINE_LOG_LEVEL: 'info' },
});
try {
  const api = stack.clients();
  const { secretsManager } = await api.secretsManagers.createSecretsManager({
    spec: {
      name: 'vault',
      loginUrl: vault.loginUrl('bench'),
      credentialsPayload: JSON.stringify({ password: 'bench-vault-password' }),
      tokenPath: '$.auth.client_token',
      secretUrl: vault.secretUrl('bench/pg'),
      tokenHeader: 'X-Vault-Token',
      dataPath: '$.data.data',
    },
  });
  const scope = { database: sourceDb.name, schema: 'bench' };
  const base = { host: pgUrl.hostname, port: pgUrl.port || '5432' };
  const plain = await api.datastores.createDatastore({
    name: 'plain',
    connection: { case: 'newConnection', value: { name: 'plain', connector: 'postgresql', properties: { ...base, username: user, password } } },
    scope,
  });
  const referenced = await api.datastores.createDatastore({
    name: 'referenced',
    connection: {
      case: 'newConnection',
      value: {
        name: 'referenced',
        connector: 'postgresql',
        secretsManagerId: secretsManager.id,
        properties: { ...base, username: '${pg_user}', password: '${pg_password}' },
      },
    },
    scope,
  });

  const test = (id) => async () => {
    const { result } = await api.datastores.testDatastore({ id });
    if (!result.ok) throw new Error(`test failed: ${result.summary}`);
  };
  const fetchesBefore = vault.requestCount('secret');
  const { ours: o, floor: f } = await interleaved({
    ours: test(referenced.datastore.id),
    floor: test(plain.datastore.id),
    warmup: WARMUP,
    iterations: ITERATIONS,
    rounds: 10,
  });
  const fetches = vault.requestCount('secret') - fetchesBefore;
  console.log(`Test Connection with two \${} references (n=${o.n}): p50 ${fmt(o.p50)}  p99 ${fmt(o.p99)}`);
  console.log(`Test Connection, literal credentials   (n=${f.n}): p50 ${fmt(f.p50)}  p99 ${fmt(f.p99)}`);
  console.log(`secret fetches from the vault during the run: ${fetches} (one per use: no cache)`);
  console.log(`p99 ratio ${(o.p99 / f.p99).toFixed(2)}`);
  console.log(`RATIO secrets_overhead_p50 ${(o.p50 / f.p50).toFixed(2)}`);
} finally {
  await stack.stop();
  await vault.close();
  await controlplaneDb.drop();
  await sourceDb.drop();
}
