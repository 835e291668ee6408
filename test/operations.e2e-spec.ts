import * as grpc from '@grpc/grpc-js';
import { Queue } from 'bullmq';
import { redisOptionsFromUrl } from '@plumbline/common';
import { controlplane } from '@plumbline/proto';
import {
  createPostgresDatabase,
  postgresAdmin,
  serviceUrl,
  startPlumblineStack,
  type ControlplaneClients,
  type PlumblineStack,
  type TestDatabase,
} from '@plumbline/testing';
import Redis from 'ioredis';
import { expectGrpcError } from './support/grpc-expect';
import { createLocalPostgresSource, salesDatastore, type PostgresSource } from './support/source-databases';

jest.setTimeout(90_000);

const { OperationStatus, OperationType } = controlplane;

/** Watches an operation until it ends and returns every state seen. */
async function watchToEnd(api: ControlplaneClients, id: string): Promise<controlplane.Operation[]> {
  const seen: controlplane.Operation[] = [];
  for await (const { operation } of api.operations.watchOperation({ id }, { timeoutMs: 30_000 })) {
    if (operation) seen.push(operation);
  }
  return seen;
}

/** Every key and value BullMQ keeps for `queue`, as one text. */
async function queueContents(queue: string): Promise<{ text: string; jobPayloads: string[] }> {
  const redis = new Redis(await serviceUrl('redis'));
  try {
    const keys = await redis.keys(`bull:${queue}:*`);
    const parts: string[] = [...keys];
    const jobPayloads: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') {
        const hash = await redis.hgetall(key);
        parts.push(...Object.entries(hash).flat());
        if (hash.data) jobPayloads.push(hash.data);
      } else if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'list') parts.push(...(await redis.lrange(key, 0, -1)));
      else if (type === 'zset') parts.push(...(await redis.zrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
    return { text: parts.join('\n'), jobPayloads };
  } finally {
    redis.disconnect();
  }
}

describe('queued operations: test_connection through BullMQ and the broker', () => {
  let database: TestDatabase;
  let source: PostgresSource;
  let stack: PlumblineStack;
  let api: ControlplaneClients;
  let datastoreId: string;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_ops');
    source = await createLocalPostgresSource();
    stack = await startPlumblineStack({ databaseUrl: database.url });
    api = stack.clients();
    datastoreId = await salesDatastore(api, source, 'ops-sales');
  });

  afterAll(async () => {
    await stack?.stop();
    await source?.drop();
    await database?.drop();
  });

  it('runs a test_connection operation from QUEUED to SUCCESS and streams its progress', async () => {
    const { operation } = await api.operations.enqueueOperation({ datastoreId, type: OperationType.TEST_CONNECTION });
    expect(operation?.status).toBe(OperationStatus.QUEUED);
    const seen = await watchToEnd(api, operation!.id);
    const last = seen.at(-1)!;
    expect(last.status).toBe(OperationStatus.SUCCESS);
    expect(last.attempt).toBe(1);
    expect(last.startTime).toBeDefined();
    expect(last.finishTime).toBeDefined();

    const { operations } = await api.operations.listOperations({ datastoreId, status: OperationStatus.SUCCESS });
    expect(operations.map((o) => o.id)).toContain(operation!.id);
  });

  it('records a classified failure', async () => {
    const { datastore } = await api.datastores.getDatastore({ id: datastoreId });
    await postgresAdmin((client) => client.query('ALTER SCHEMA marketing RENAME TO marketing_gone'), source.database);
    const created = await api.datastores.createDatastore({
      name: 'ops-marketing',
      connection: { case: 'connectionId', value: datastore!.connectionId },
      scope: { database: source.database, schema: 'marketing_gone' },
    });
    // The schema disappears after the datastore was made: the next run fails, classified.
    await postgresAdmin((client) => client.query('ALTER SCHEMA marketing_gone RENAME TO marketing'), source.database);
    const { operation } = await api.operations.enqueueOperation({
      datastoreId: created.datastore!.id,
      type: OperationType.TEST_CONNECTION,
    });
    const last = (await watchToEnd(api, operation!.id)).at(-1)!;
    expect(last.status).toBe(OperationStatus.FAILURE);
    expect(last.error?.code).toBe('SCHEMA_NOT_FOUND');
    expect(last.error?.message).toContain('marketing_gone');
  });

  it('refuses an operation without a type, enqueueing nothing', async () => {
    const before = (await api.operations.listOperations({ datastoreId })).operations.length;
    const { detail } = await expectGrpcError(
      api.operations.enqueueOperation({ datastoreId, type: OperationType.UNSPECIFIED }),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(detail?.field).toBe('type');
    expect((await api.operations.listOperations({ datastoreId })).operations).toHaveLength(before);
  });

  it('refuses an operation on a datastore that does not exist, or on an id that is not one, naming datastore_id', async () => {
    const missing = await expectGrpcError(
      api.operations.enqueueOperation({ datastoreId: '00000000-0000-4000-8000-000000000000', type: OperationType.SYNC }),
      grpc.status.NOT_FOUND,
    );
    expect(missing.detail).toMatchObject({ reason: 'DATASTORE_NOT_FOUND', field: 'datastore_id' });
    const malformed = await expectGrpcError(
      api.operations.enqueueOperation({ datastoreId: 'not-a-uuid', type: OperationType.SYNC }),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(malformed.detail?.field).toBe('datastore_id');
  });

  it('syncs the catalog, and a re-sync records what was added, removed or changed', async () => {
    const first = await api.operations.enqueueOperation({ datastoreId, type: OperationType.SYNC });
    const synced = (await watchToEnd(api, first.operation!.id)).at(-1)!;
    expect(synced.status).toBe(OperationStatus.SUCCESS);
    expect(synced.counts).toMatchObject({ containers: 1, fields: 3 });
    const catalog = await postgresAdmin(
      (client) =>
        client.query<{ container: string; field: string; declared_type: string; primary_key: boolean }>(
          `SELECT c.name AS container, f.name AS field, f.declared_type, f.primary_key
             FROM container c JOIN field f ON f.container_id = c.id WHERE f.removed_at IS NULL ORDER BY f.ordinal`,
        ),
      database.name,
    );
    expect(catalog.rows).toEqual([
      { container: 'sales.orders', field: 'id', declared_type: 'integer', primary_key: true },
      { container: 'sales.orders', field: 'amount', declared_type: 'numeric', primary_key: false },
      { container: 'sales.orders', field: 'note', declared_type: 'text', primary_key: false },
    ]);

    await postgresAdmin(
      (client) =>
        client.query(`UPDATE sales.orders SET amount = 0 WHERE amount IS NULL;
                      ALTER TABLE sales.orders ADD COLUMN channel text; ALTER TABLE sales.orders DROP COLUMN note;
                      ALTER TABLE sales.orders ALTER COLUMN amount SET NOT NULL;
                      CREATE TABLE sales.returns (id int PRIMARY KEY); GRANT SELECT ON sales.returns TO "${source.user}"`),
      source.database,
    );
    const second = await api.operations.enqueueOperation({ datastoreId, type: OperationType.SYNC });
    expect((await watchToEnd(api, second.operation!.id)).at(-1)?.status).toBe(OperationStatus.SUCCESS);
    const changes = await postgresAdmin(
      (client) =>
        client.query<{ container: string; field: string | null; change: string }>(
          `SELECT container, field, change FROM catalog_change WHERE operation_id = $1 ORDER BY container, field NULLS FIRST`,
          [second.operation!.id],
        ),
      database.name,
    );
    expect(changes.rows).toEqual([
      { container: 'sales.orders', field: 'amount', change: 'changed' },
      { container: 'sales.orders', field: 'channel', change: 'added' },
      { container: 'sales.orders', field: 'note', change: 'removed' },
      { container: 'sales.returns', field: null, change: 'added' },
    ]);
  });

  it('profiles the synced containers inside the database and keeps one set of inferred checks', async () => {
    const run = async () => {
      const { operation } = await api.operations.enqueueOperation({
        datastoreId,
        type: OperationType.PROFILE,
        options: { inferenceLevel: 2 },
      });
      return (await watchToEnd(api, operation!.id)).at(-1)!;
    };
    const profiled = await run();
    expect(profiled.status).toBe(OperationStatus.SUCCESS);
    expect(profiled.counts?.containers).toBe(2);
    expect(profiled.progressDone).toBe(2n);

    const expected = await postgresAdmin(
      (client) =>
        client.query<{ rows: string; amounts: string; mean: string; max: string }>(
          `SELECT count(*) AS rows, count(amount) AS amounts, avg(amount)::float8::text AS mean, max(amount)::text AS max FROM sales.orders`,
        ),
      source.database,
    );
    const stored = await postgresAdmin(
      (client) =>
        client.query<{ statistics: { rowCount: string; nullCount: string; mean: number; max: string } }>(
          `SELECT statistics FROM field_profile WHERE container = 'sales.orders' AND field = 'amount'`,
        ),
      database.name,
    );
    const amount = stored.rows[0]!.statistics;
    const independent = expected.rows[0]!;
    expect(Number(amount.rowCount)).toBe(Number(independent.rows));
    expect(Number(amount.rowCount) - Number(amount.nullCount ?? 0)).toBe(Number(independent.amounts));
    expect(amount.mean).toBeCloseTo(Number(independent.mean), 9);
    expect(Number(amount.max)).toBe(Number(independent.max));

    const checks = () =>
      postgresAdmin(
        (client) => client.query<{ key: string }>(`SELECT key FROM quality_check WHERE container = 'sales.orders' ORDER BY key`),
        database.name,
      );
    const first = (await checks()).rows.map((row) => row.key);
    expect(first).toContain('not_null:id');
    expect(first).toContain('unique:id');
    expect((await run()).status).toBe(OperationStatus.SUCCESS);
    expect((await checks()).rows.map((row) => row.key)).toEqual(first);
  });

  it('scans the checks inside the database, recording anomalies row by row, incrementally on request', async () => {
    const scan = async (incrementalColumn = '') => {
      const { operation } = await api.operations.enqueueOperation({
        datastoreId,
        type: OperationType.SCAN,
        options: { incrementalColumn },
      });
      return (await watchToEnd(api, operation!.id)).at(-1)!;
    };
    const anomaliesOf = (operationId: string) =>
      postgresAdmin(
        (client) =>
          client.query<{ check_key: string; violating_count: string; sample: Array<Record<string, string>> }>(
            `SELECT check_key, violating_count, sample FROM anomaly WHERE operation_id = $1 ORDER BY check_key`,
            [operationId],
          ),
        database.name,
      );

    const clean = await scan();
    expect(clean.status).toBe(OperationStatus.SUCCESS);
    expect(clean.counts?.anomalies).toBe(0);

    await postgresAdmin((client) => client.query(`INSERT INTO sales.orders (id, amount, channel) VALUES (10, -5, 'web')`), source.database);
    const dirty = await scan('id');
    expect(dirty.status).toBe(OperationStatus.SUCCESS);
    const found = (await anomaliesOf(dirty.id)).rows;
    expect(found.map((row) => row.check_key)).toEqual(expect.arrayContaining(['between:amount', 'not_negative:amount']));
    const notNegative = found.find((row) => row.check_key === 'not_negative:amount')!;
    expect(Number(notNegative.violating_count)).toBe(1);
    expect(notNegative.sample).toEqual([{ id: '10', $value: '-5' }]);

    // The first incremental scan set the mark at id 10: the next one sees only newer rows.
    await postgresAdmin((client) => client.query(`INSERT INTO sales.orders (id, amount, channel) VALUES (11, -7, 'web')`), source.database);
    const incremental = await scan('id');
    expect(Number(incremental.counts?.rows)).toBe(1);
    const newer = (await anomaliesOf(incremental.id)).rows.find((row) => row.check_key === 'not_negative:amount')!;
    expect(newer.sample).toEqual([{ id: '11', $value: '-7' }]);
  });

  it('stops a running profile at its next progress report when aborted, keeping what it did', async () => {
    // Views that take at least 100 ms per read, whatever the machine: a profile reports progress
    // after each, and is still far from done when the abort comes.
    const TABLES = 30;
    await postgresAdmin(async (client) => {
      await client.query('CREATE SCHEMA wide');
      for (let i = 0; i < TABLES; i += 1) {
        await client.query(
          `CREATE VIEW wide.v${String(i).padStart(2, '0')} AS
             SELECT g AS id, md5(g::text) AS label FROM generate_series(1, 20) g WHERE pg_sleep(0.005) IS NOT NULL`,
        );
      }
      await client.query(`GRANT USAGE ON SCHEMA wide TO "${source.user}"; GRANT SELECT ON ALL TABLES IN SCHEMA wide TO "${source.user}"`);
    }, source.database);
    const { datastore: sales } = await api.datastores.getDatastore({ id: datastoreId });
    const { datastore: wide } = await api.datastores.createDatastore({
      name: 'ops-wide',
      connection: { case: 'connectionId', value: sales!.connectionId },
      scope: { database: source.database, schema: 'wide' },
    });
    const synced = await api.operations.enqueueOperation({ datastoreId: wide!.id, type: OperationType.SYNC });
    expect((await watchToEnd(api, synced.operation!.id)).at(-1)?.status).toBe(OperationStatus.SUCCESS);

    const { operation } = await api.operations.enqueueOperation({ datastoreId: wide!.id, type: OperationType.PROFILE });
    let doneWhenAborted: bigint | undefined;
    const seen: controlplane.Operation[] = [];
    for await (const { operation: state } of api.operations.watchOperation({ id: operation!.id }, { timeoutMs: 60_000 })) {
      if (state) seen.push(state);
      if (doneWhenAborted === undefined && state?.status === OperationStatus.RUNNING && state.progressDone >= 1n) {
        await api.operations.abortOperation({ id: operation!.id });
        // Every report made before the abort is in this figure; the worker learns of the abort at the next one.
        doneWhenAborted = (await api.operations.getOperation({ id: operation!.id })).operation!.progressDone;
      }
    }
    const last = seen.at(-1)!;
    expect(doneWhenAborted).toBeDefined();
    expect(last.status).toBe(OperationStatus.ABORTED);
    expect(last.error?.code).toBe('ABORTED');
    const profiled = last.counts?.containers ?? 0;
    expect(profiled).toBeLessThanOrEqual(Number(doneWhenAborted) + 1);
    expect(profiled).toBeLessThan(TABLES);
    expect(last.error?.message).toBe(`aborted after ${profiled} of ${TABLES} containers`);
    // What was profiled before the abort is kept.
    const stored = await postgresAdmin(
      (client) => client.query<{ n: number }>(`SELECT count(DISTINCT container)::int AS n FROM field_profile WHERE container LIKE 'wide.%'`),
      database.name,
    );
    expect(stored.rows[0]!.n).toBe(profiled);
  });

  it('keeps only operation ids in Redis: no secret in any key, value or job payload', async () => {
    // A finished job is removed at once: hold the workers off so a waiting job is in the haystack too.
    const queue = new Queue(stack.queueName, { connection: redisOptionsFromUrl(await serviceUrl('redis')) });
    try {
      await queue.pause();
      const { operation } = await api.operations.enqueueOperation({ datastoreId, type: OperationType.SYNC });
      const waiting = await queueContents(stack.queueName);
      await queue.resume();
      expect((await watchToEnd(api, operation!.id)).at(-1)?.status).toBe(OperationStatus.SUCCESS);
      const after = await queueContents(stack.queueName);

      expect(waiting.jobPayloads).toEqual([JSON.stringify({ operationId: operation!.id })]); // the haystack is real
      for (const { text } of [waiting, after]) expect(text).not.toContain(source.password);
      expect(after.text).toContain(operation!.id); // the finished job's events
      expect(stack.output().join('\n')).not.toContain(source.password);
    } finally {
      await queue.close();
    }
  });
});

describe('the operation broker (no worker running)', () => {
  let database: TestDatabase;
  let source: PostgresSource;
  let stack: PlumblineStack;
  let api: ControlplaneClients;
  let datastoreId: string;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_broker');
    source = await createLocalPostgresSource();
    stack = await startPlumblineStack({
      databaseUrl: database.url,
      dataplaneEnv: { PLUMBLINE_WORKER_ENABLED: 'false' },
    });
    api = stack.clients();
    datastoreId = await salesDatastore(api, source, 'broker-sales');
  });

  afterAll(async () => {
    await stack?.stop();
    await source?.drop();
    await database?.drop();
  });

  const enqueue = async () =>
    (await api.operations.enqueueOperation({ datastoreId, type: OperationType.TEST_CONNECTION })).operation!;

  it('leases only to the dataplane identity', async () => {
    const operation = await enqueue();
    await expectGrpcError(
      stack.brokerClient('cli').startOperation({ operationId: operation.id, workerId: 'intruder' }),
      grpc.status.PERMISSION_DENIED,
    );
  });

  it('fences every write with the attempt number: a stale attempt can never write', async () => {
    const broker = stack.brokerClient('dataplane');
    const operation = await enqueue();
    const first = await broker.startOperation({ operationId: operation.id, workerId: 'w1' });
    expect(first.fencingToken).toBe(1);
    expect(first.target?.properties.password).toBe(source.password); // resolved, for the worker only
    const second = await broker.startOperation({ operationId: operation.id, workerId: 'w2' });
    expect(second.fencingToken).toBe(2);

    const stale = await expectGrpcError(
      broker.reportProgress({ operationId: operation.id, fencingToken: 1, done: 1n, total: 2n }),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(stale.detail?.reason).toBe('STALE_FENCING_TOKEN');
    await expectGrpcError(
      broker.finishOperation({ operationId: operation.id, fencingToken: 1, status: OperationStatus.SUCCESS }),
      grpc.status.FAILED_PRECONDITION,
    );
    await broker.finishOperation({ operationId: operation.id, fencingToken: 2, status: OperationStatus.SUCCESS });
    const { operation: done } = await api.operations.getOperation({ id: operation.id });
    expect(done).toMatchObject({ status: OperationStatus.SUCCESS, attempt: 2 });
    const again = await expectGrpcError(
      broker.finishOperation({ operationId: operation.id, fencingToken: 2, status: OperationStatus.FAILURE }),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(again.detail?.reason).toBe('OPERATION_ALREADY_FINISHED');
  });

  it('aborts a queued operation at once and removes its job', async () => {
    const operation = await enqueue();
    const { operation: aborted } = await api.operations.abortOperation({ id: operation.id });
    expect(aborted?.status).toBe(OperationStatus.ABORTED);
    const { text } = await queueContents(stack.queueName);
    expect(text).not.toContain(`bull:${stack.queueName}:${operation.id}`);
  });

  it('never brings an operation that ended back to life when an abort races its finish', async () => {
    const broker = stack.brokerClient('dataplane');
    for (let round = 0; round < 25; round += 1) {
      const operation = await enqueue();
      const lease = await broker.startOperation({ operationId: operation.id, workerId: 'w1' });
      await Promise.all([
        broker.finishOperation({ operationId: operation.id, fencingToken: lease.fencingToken, status: OperationStatus.SUCCESS }),
        api.operations.abortOperation({ id: operation.id }),
      ]);
      const { operation: after } = await api.operations.getOperation({ id: operation.id });
      expect(after).toMatchObject({ status: OperationStatus.SUCCESS, attempt: 1 });
    }
  });

  it('tells a running operation to stop at its next progress report', async () => {
    const broker = stack.brokerClient('dataplane');
    const operation = await enqueue();
    const lease = await broker.startOperation({ operationId: operation.id, workerId: 'w1' });
    const before = await broker.reportProgress({ operationId: operation.id, fencingToken: lease.fencingToken, done: 0n, total: 1n });
    expect(before.abort).toBe(false);
    await api.operations.abortOperation({ id: operation.id });
    const after = await broker.reportProgress({ operationId: operation.id, fencingToken: lease.fencingToken, done: 1n, total: 1n });
    expect(after.abort).toBe(true);
    await broker.finishOperation({ operationId: operation.id, fencingToken: lease.fencingToken, status: OperationStatus.ABORTED });
    expect((await api.operations.getOperation({ id: operation.id })).operation?.status).toBe(OperationStatus.ABORTED);
  });
});
