// The design floor's worker: what the issue requires of every operation, with
// no broker in between. A BullMQ job carrying only the operation id; the
// lease (a fenced UPDATE of the operation row, read with its datastore and
// connection), the dataplane's own PostgreSQL Test Connection code (reach,
// log in, scope and privilege probes), and the fenced UPDATE that ends it.
// What ours costs beyond this is the gRPC/mTLS hops and the controlplane.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Worker } = require('bullmq');
const { Pool } = require('pg');
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { PostgresqlConnector } = require(join(root, 'services/dataplane/dist/connectors/postgresql/postgresql.connector.js'));

const [queueName, redisUrl, concurrency, recordsUrl, targetJson] = process.argv.slice(2);
const target = JSON.parse(targetJson);
const connector = new PostgresqlConnector();
const records = new Pool({ connectionString: recordsUrl, max: Number(concurrency) });
const redis = new URL(redisUrl);
const worker = new Worker(
  queueName,
  async (job) => {
    const { rows } = await records.query(
      `WITH started AS (
         UPDATE operation SET attempt = attempt + 1, status = 'running', started_at = COALESCE(started_at, now()), updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running') AND NOT abort_requested
          RETURNING id, datastore_id, attempt)
       SELECT o.attempt, c.properties, d.scope FROM started o JOIN datastore d ON d.id = o.datastore_id JOIN connection c ON c.id = d.connection_id`,
      [job.data.operationId],
    );
    if (!rows[0]) throw new Error('operation could not start');
    const result = await connector.test(target, { deadline: Date.now() + 30_000 });
    await records.query(
      `UPDATE operation SET status = $3, finished_at = now(), updated_at = now() WHERE id = $1 AND attempt = $2 AND status = 'running'`,
      [job.data.operationId, rows[0].attempt, result.ok ? 'success' : 'failure'],
    );
  },
  { connection: { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null }, concurrency: Number(concurrency) },
);
worker.on('ready', () => process.send?.('ready'));
process.on('SIGTERM', () => worker.close().then(() => records.end()).then(() => process.exit(0)));
