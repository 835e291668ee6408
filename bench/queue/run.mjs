#!/usr/bin/env node
// bench:queue — 2,000 test_connection operations end to end (API enqueue →
// BullMQ → 2 dataplane workers → broker lease → PostgreSQL check → broker
// finish) against the floor of BullMQ jobs that each do a bare pg connect +
// SELECT 1 with no broker: same Redis, same number of worker processes and
// concurrency, same run. Also measured, for the reader: a design floor of jobs
// that do what the issue requires of each operation (durable record, fenced
// lease and end, the real Test Connection) with no broker, so the gap splits
// into what the requirements cost and what our services add.
// Last line: RATIO queue_overhead <floor ops/s / ours>.
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchStack, testing } from '../lib/stack.mjs';

const require = createRequire(import.meta.url);
const { Queue } = require('bullmq');
const { Client } = require('pg');
const here = dirname(fileURLToPath(import.meta.url));

const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 2000);
const WORKERS = 2;
const IN_FLIGHT = 16;

/** Runs `work` `count` times with at most IN_FLIGHT calls at once. */
async function inBatches(count, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);

/**
 * Runs OPERATIONS jobs through WORKERS processes of `script` (each with
 * CONCURRENCY) on a queue of their own: `add` puts job i on it. Returns the
 * seconds from the first add until the queue is empty.
 */
async function runBareQueue(script, args, add) {
  const queueName = `plumbline-bench-${randomBytes(4).toString('hex')}`;
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, () => {
      const child = fork(join(here, script), [queueName, redisUrl, String(CONCURRENCY), ...args]);
      return new Promise((resolve) => child.once('message', () => resolve(child)));
    }),
  );
  const redis = new URL(redisUrl);
  const queue = new Queue(queueName, { connection: { host: redis.hostname, port: Number(redis.port || 6379) } });
  try {
    const started = performance.now();
    await inBatches(OPERATIONS, (i) => add(queue, i));
    for (;;) {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed');
      if (counts.failed > 0) throw new Error(`${counts.failed} ${script} jobs failed`);
      if (counts.wait + counts.active + counts.delayed === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return (performance.now() - started) / 1000;
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    workers.forEach((child) => child.kill('SIGTERM'));
  }
}

const bench = await startBenchStack({ dataplaneEnv: { PLUMBLINE_WORKER_CONCURRENCY: String(CONCURRENCY) } });
const redisUrl = await testing.serviceUrl('redis');
try {
  const { api, stack, scope } = bench;
  await stack.addDataplane(); // the second worker process
  const { datastore } = await api.datastores.createDatastore({
    name: 'bench',
    connection: { case: 'newConnection', value: { name: 'bench', connector: 'postgresql', properties: bench.postgres } },
    scope,
  });

  // Ours: enqueue through the API, wait until every operation ended.
  const controlplaneDb = new Client({ connectionString: bench.controlplaneDbUrl });
  await controlplaneDb.connect();
  const started = performance.now();
  // Clients enqueue IN_FLIGHT operations at a time, as a scheduler or several users would.
  await inBatches(OPERATIONS, () => api.operations.enqueueOperation({ datastoreId: datastore.id, type: 4 /* TEST_CONNECTION */ }));
  const enqueuedSeconds = (performance.now() - started) / 1000;
  for (;;) {
    const { rows } = await controlplaneDb.query(
      `SELECT count(*) FILTER (WHERE status IN ('success', 'failure', 'aborted'))::int AS ended,
              count(*) FILTER (WHERE status = 'success')::int AS ok FROM operation`,
    );
    if (rows[0].ended >= OPERATIONS) {
      if (rows[0].ok !== OPERATIONS) throw new Error(`${OPERATIONS - rows[0].ok} operations did not succeed`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const oursSeconds = (performance.now() - started) / 1000;
  await controlplaneDb.end();

  // Floor: the same number of jobs on the same Redis, bare workers in as many processes.
  const pg = {
    host: bench.postgres.host,
    port: Number(bench.postgres.port),
    user: bench.postgres.username,
    password: bench.postgres.password || undefined,
    database: scope.database,
  };
  const floorSeconds = await runBareQueue('floor-worker.mjs', [JSON.stringify(pg)], (queue, i) =>
    queue.add('check', { n: i }, { removeOnComplete: true }),
  );

  // Design floor: the issue's own per-operation work (a durable record, a fenced lease and end,
  // the real Test Connection) with no broker: where ours stands against what any design must pay.
  const records = new Client({ connectionString: bench.controlplaneDbUrl });
  await records.connect();
  const target = { connector: 'postgresql', authMethod: 'basic', properties: bench.postgres, scope };
  const designIds = [];
  const designSeconds = await runBareQueue(
    'design-floor-worker.mjs',
    [bench.controlplaneDbUrl, JSON.stringify(target)],
    async (queue) => {
      const id = randomUUID();
      designIds.push(id);
      await records.query(`INSERT INTO operation (id, datastore_id, type, status, options) VALUES ($1, $2, 'test_connection', 'queued', '{}')`, [
        id,
        datastore.id,
      ]);
      await queue.add('run', { operationId: id }, { jobId: id, removeOnComplete: true });
    },
  );
  const { rows: design } = await records.query(`SELECT count(*)::int AS ok FROM operation WHERE id = ANY($1) AND status = 'success'`, [designIds]);
  await records.end();
  if (design[0].ok !== OPERATIONS) throw new Error(`${OPERATIONS - design[0].ok} design floor operations did not succeed`);

  const ours = OPERATIONS / oursSeconds;
  const floor = OPERATIONS / floorSeconds;
  console.log(`ours : ${OPERATIONS} test_connection operations, ${WORKERS} dataplanes x ${CONCURRENCY}: ${oursSeconds.toFixed(1)} s, ${ours.toFixed(1)} ops/s (all enqueued after ${enqueuedSeconds.toFixed(1)} s)`);
  console.log(`floor: ${OPERATIONS} bare BullMQ pg jobs, ${WORKERS} workers x ${CONCURRENCY}: ${floorSeconds.toFixed(1)} s, ${floor.toFixed(1)} ops/s`);
  const designFloor = OPERATIONS / designSeconds;
  console.log(`design floor: ${OPERATIONS} jobs doing the issue's record, lease, Test Connection and end with no broker: ${designSeconds.toFixed(1)} s, ${designFloor.toFixed(1)} ops/s`);
  console.log(`floor / design floor ${(floor / designFloor).toFixed(2)}; design floor / ours ${(designFloor / ours).toFixed(2)}`);
  console.log(`RATIO queue_overhead ${(floor / ours).toFixed(2)}`);
} finally {
  await bench.close();
}
