// The floor's worker: a bare BullMQ worker whose job is a pg connect + SELECT 1,
// with no broker, no controlplane, no credentials handling.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Worker } = require('bullmq');
const { Client } = require('pg');

const [queueName, redisUrl, concurrency, pgJson] = process.argv.slice(2);
const pg = JSON.parse(pgJson);
const redis = new URL(redisUrl);
const worker = new Worker(
  queueName,
  async () => {
    const client = new Client(pg);
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  },
  { connection: { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null }, concurrency: Number(concurrency) },
);
worker.on('ready', () => process.send?.('ready'));
process.on('SIGTERM', () => worker.close().then(() => process.exit(0)));
