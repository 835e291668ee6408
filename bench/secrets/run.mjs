#!/usr/bin/env node
// bench:secrets — Test Connection of a saved datastore whose username and
// password are `${}` references resolved through a Vault-compatible secrets
// manager on loopback (login + fetch on every use), against the same datastore
// with literal credentials, in the same run.
// Last line: RATIO secrets_overhead_p50 <with references p50 / without p50>.
import { fmt, interleaved } from '../lib/stats.mjs';
import { ITERATIONS, WARMUP, startBenchStack, testing } from '../lib/stack.mjs';

const bench = await startBenchStack();
const { api, scope } = bench;
const { username: user, password } = bench.postgres;
const vault = await testing.startVaultFake({
  users: { bench: 'bench-vault-password' },
  secrets: { 'bench/pg': { pg_user: user, pg_password: password } },
});
try {
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
  const base = { host: bench.postgres.host, port: bench.postgres.port };
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
  await vault.close();
  await bench.close();
}
