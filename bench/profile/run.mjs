#!/usr/bin/env node
// bench:profile — Profile of a generated PostgreSQL table (10 million rows, 12
// columns of mixed types; BENCH_ROWS to change) through the whole product
// (API → queue → dataplane → one aggregate pass in PostgreSQL → broker), against
// the floor of one hand-written aggregate query computing the same statistics,
// same run. Prints the dataplane's peak memory (VmHWM).
// Last line: RATIO profile_vs_single_query <ours wall time / floor wall time>.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startBenchStack, testing } from '../lib/stack.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const bench = await startBenchStack({ dataplaneEnv: { PLUMBLINE_WORKER_CONCURRENCY: '1' } });

/** Peak resident memory of a process, from /proc (Linux). */
function peakMemoryMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : NaN;
}

async function waitForOperation(api, id) {
  for (;;) {
    const { operation } = await api.operations.getOperation({ id });
    if ([3, 4, 5].includes(operation.status)) return operation;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  const { api, scope, sourceDb } = bench;
  console.log(`generating bench.big with ${ROWS.toLocaleString('en')} rows…`);
  const generated = performance.now();
  await testing.postgresAdmin(
    (c) =>
      c.query(`
        CREATE TABLE bench.big (
          id bigint PRIMARY KEY, quantity integer, price numeric(12,2), ratio double precision,
          label text, category varchar(40), active boolean, day date, seen_at timestamptz,
          ref uuid, maybe_int integer, maybe_text text);
        INSERT INTO bench.big
        SELECT g, ((g % 1000) - 100)::int, round(((g * 7919) % 100000) / 100.0, 2), ((g * 104729) % 1000003) / 1000003.0,
               'item-' || (g % 50000), 'cat-' || (g % 12), g % 3 = 0, date '2020-01-01' + (g % 1500)::int,
               timestamptz '2020-01-01' + (g % 100000) * interval '1 minute', md5(g::text)::uuid,
               CASE WHEN g % 10 = 0 THEN NULL ELSE (g % 777)::int END, CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || (g % 997) END
          FROM generate_series(1::bigint, ${ROWS}::bigint) AS g;`),
    sourceDb.name,
  );
  // Whichever scan came first would also set every tuple's hint bits and write the pages
  // back; vacuum does that now, so ours and the floor read the same clean table.
  await testing.postgresAdmin((c) => c.query('VACUUM (FREEZE, ANALYZE) bench.big'), sourceDb.name);
  console.log(`generated in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

  const { datastore } = await api.datastores.createDatastore({
    name: 'bench',
    connection: { case: 'newConnection', value: { name: 'bench', connector: 'postgresql', properties: bench.postgres } },
    scope,
  });
  const sync = await api.operations.enqueueOperation({ datastoreId: datastore.id, type: 1 /* SYNC */ });
  if ((await waitForOperation(api, sync.operation.id)).status !== 3) throw new Error('sync failed');

  // Ours: the whole product, enqueue to SUCCESS.
  const oursStarted = performance.now();
  const profile = await api.operations.enqueueOperation({
    datastoreId: datastore.id,
    type: 2 /* PROFILE */,
    options: { containers: ['bench.big'], inferenceLevel: 1 },
  });
  const done = await waitForOperation(api, profile.operation.id);
  if (done.status !== 3) throw new Error(`profile failed: ${done.error?.code} ${done.error?.message}`);
  const oursSeconds = (performance.now() - oursStarted) / 1000;
  const peak = peakMemoryMiB(bench.stack.dataplane.child.pid);

  // Floor: one aggregate query with the same statistics, written by hand.
  const numeric = ['id', 'quantity', 'price', 'ratio', 'maybe_int'];
  const text = ['label', 'category', 'maybe_text'];
  const other = ['active', 'day', 'seen_at', 'ref'];
  const parts = ['count(*)'];
  for (const c of [...numeric, ...text, ...other]) parts.push(`count(${c})`, `count(DISTINCT ${c})`);
  for (const c of numeric) {
    parts.push(`min(${c})`, `max(${c})`, `sum(${c})`, `avg(${c})`, `stddev_samp(${c})`);
    parts.push(`sum(power(${c}::float8, 3))`, `sum(power(${c}::float8, 4))`);
    parts.push(`percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY ${c})`);
  }
  for (const c of text) parts.push(`min(${c})`, `max(${c})`, `min(char_length(${c}))`, `max(char_length(${c}))`, `avg(char_length(${c}))`);
  for (const c of ['day', 'seen_at']) {
    parts.push(`min(${c})`, `max(${c})`, `percentile_disc(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY ${c})`);
  }
  const floorClient = new Client({ ...bench.postgres, user: bench.postgres.username, password: bench.postgres.password || undefined, database: sourceDb.name });
  await floorClient.connect();
  const floorStarted = performance.now();
  await floorClient.query(`SELECT ${parts.join(', ')} FROM bench.big`);
  const floorSeconds = (performance.now() - floorStarted) / 1000;
  await floorClient.end();

  console.log(`ours : profile of ${ROWS.toLocaleString('en')} rows x 12 columns through the queue: ${oursSeconds.toFixed(1)} s`);
  console.log(`floor: one hand-written aggregate query, same statistics:       ${floorSeconds.toFixed(1)} s`);
  console.log(`dataplane peak memory (VmHWM): ${peak.toFixed(0)} MiB (limit 256 MiB: ${peak < 256 ? 'within' : 'OVER'})`);
  console.log(`RATIO profile_vs_single_query ${(oursSeconds / floorSeconds).toFixed(2)}`);
} finally {
  await bench.close();
}
