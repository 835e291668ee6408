import * as grpc from '@grpc/grpc-js';
import { Queue, Worker } from 'bullmq';
import { redisOptionsFromUrl } from '@plumbline/common';
import { controlplane } from '@plumbline/proto';
import {
  createPostgresDatabase,
  postgresAdmin,
  serviceUrl,
  startBlackhole,
  startPlumblineStack,
  startScratchRedis,
  startVaultFake,
  type Blackhole,
  type ControlplaneClients,
  type PlumblineStack,
  type ScratchRedis,
  type TestDatabase,
  type VaultFake,
} from '@plumbline/testing';
import { expectGrpcError } from './support/grpc-expect';
import { createLocalPostgresSource, salesDatastore, type PostgresSource } from './support/source-databases';

jest.setTimeout(120_000);

const { OperationStatus, OperationType } = controlplane;

async function waitFor(
  api: ControlplaneClients,
  id: string,
  done: (operation: controlplane.Operation) => boolean,
  timeoutMs = 60_000,
): Promise<controlplane.Operation> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { operation } = await api.operations.getOperation({ id });
    if (operation && done(operation)) return operation;
    if (Date.now() > until) throw new Error(`operation ${id} stuck at ${JSON.stringify(operation?.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const finished = (operation: controlplane.Operation) =>
  [OperationStatus.SUCCESS, OperationStatus.FAILURE, OperationStatus.ABORTED].includes(operation.status);

async function makeDatastore(api: ControlplaneClients, source: PostgresSource, vault: VaultFake, name: string): Promise<string> {
  const { secretsManager } = await api.secretsManagers.createSecretsManager({
    spec: {
      name: `${name}-vault`,
      loginUrl: vault.loginUrl('ops'),
      credentialsPayload: JSON.stringify({ password: 'ops-vault' }),
      tokenPath: '$.auth.client_token',
      secretUrl: vault.secretUrl('ops/pg'),
      tokenHeader: 'X-Vault-Token',
      dataPath: '$.data.data',
    },
  });
  const { datastore } = await api.datastores.createDatastore({
    name,
    connection: {
      case: 'newConnection',
      value: {
        name,
        connector: 'postgresql',
        secretsManagerId: secretsManager!.id,
        // The port comes from the vault, so a test can move the source without touching Plumbline.
        properties: { host: source.host, port: '${pg_port}', username: source.user, password: source.password },
      },
    },
    scope: { database: source.database, schema: 'sales' },
  });
  return datastore!.id;
}

describe('a dataplane worker killed mid-operation', () => {
  let database: TestDatabase;
  let source: PostgresSource;
  let vault: VaultFake;
  let blackhole: Blackhole;
  let stack: PlumblineStack;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_ops_kill');
    source = await createLocalPostgresSource();
    vault = await startVaultFake({ users: { ops: 'ops-vault' }, secrets: { 'ops/pg': { pg_port: String(source.port) } } });
    blackhole = await startBlackhole();
    stack = await startPlumblineStack({
      databaseUrl: database.url,
      // A dead worker's claim lapses after 2 s; a check against the blackhole would hang far longer.
      dataplaneEnv: { PLUMBLINE_WORKER_LOCK_MS: '2000', PLUMBLINE_TEST_TIMEOUT_MS: '60000' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([vault?.close(), blackhole?.close(), source?.drop()]);
    await database?.drop();
  });

  it('is retried by another worker as a new attempt, and the result is written once', async () => {
    const api = stack.clients();
    const datastoreId = await makeDatastore(api, source, vault, 'kill-sales');
    // Every packet to the source is dropped now: the first attempt hangs in TCP_CONNECT.
    vault.setSecret('ops/pg', { pg_port: String(blackhole.port) });
    const { operation } = await api.operations.enqueueOperation({ datastoreId, type: OperationType.TEST_CONNECTION });
    await waitFor(api, operation!.id, (o) => o.status === OperationStatus.RUNNING);

    stack.dataplane.child.kill('SIGKILL');
    vault.setSecret('ops/pg', { pg_port: String(source.port) });
    await stack.addDataplane({ PLUMBLINE_WORKER_LOCK_MS: '2000' });

    const done = await waitFor(api, operation!.id, finished);
    expect(done.status).toBe(OperationStatus.SUCCESS);
    expect(done.attempt).toBe(2);
    // Had the first attempt survived, none of its writes could land.
    const stale = await expectGrpcError(
      stack.brokerClient('dataplane').finishOperation({ operationId: operation!.id, fencingToken: 1, status: OperationStatus.FAILURE }),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(stale.detail?.reason).toBe('OPERATION_ALREADY_FINISHED');
    const { operation: after } = await api.operations.getOperation({ id: operation!.id });
    expect(after).toEqual(done);
  });
});

describe('Redis and the controlplane restarted while operations are queued', () => {
  let database: TestDatabase;
  let source: PostgresSource;
  let vault: VaultFake;
  let redis: ScratchRedis;
  let stack: PlumblineStack;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_ops_restart');
    source = await createLocalPostgresSource();
    vault = await startVaultFake({ users: { ops: 'ops-vault' }, secrets: { 'ops/pg': { pg_port: String(source.port) } } });
    redis = await startScratchRedis();
    stack = await startPlumblineStack({
      databaseUrl: database.url,
      redisUrl: redis.url,
      controlplaneEnv: { PLUMBLINE_REQUEUE_INTERVAL_MS: '500' },
      // No worker yet: the operations stay queued through the restarts.
      dataplaneEnv: { PLUMBLINE_WORKER_ENABLED: 'false' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([vault?.close(), redis?.stop(), source?.drop()]);
    await database?.drop();
  });

  it('loses nothing: every queued operation runs once workers come', async () => {
    const api = stack.clients();
    const datastoreId = await makeDatastore(api, source, vault, 'restart-sales');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { operation } = await api.operations.enqueueOperation({ datastoreId, type: OperationType.TEST_CONNECTION });
      ids.push(operation!.id);
    }

    // Redis keeps nothing on disk: a restart empties the queue.
    await redis.stop();
    await redis.start();
    await stack.restartControlplane();
    const afterRestart = stack.clients();
    await stack.addDataplane({ PLUMBLINE_WORKER_ENABLED: 'true' });
    await stack.addDataplane({ PLUMBLINE_WORKER_ENABLED: 'true', PLUMBLINE_WORKER_CONCURRENCY: '1' });

    for (const id of ids) {
      const done = await waitFor(afterRestart, id, finished);
      expect(done.status).toBe(OperationStatus.SUCCESS);
      expect(done.attempt).toBe(1);
    }
  });
});

describe('operations whose job failed or was lost', () => {
  let database: TestDatabase;
  let source: PostgresSource;
  let stack: PlumblineStack;
  let queue: Queue;
  let api: ControlplaneClients;
  let datastoreId: string;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_ops_lost');
    source = await createLocalPostgresSource();
    stack = await startPlumblineStack({
      databaseUrl: database.url,
      controlplaneEnv: { PLUMBLINE_REQUEUE_INTERVAL_MS: '300', PLUMBLINE_STALE_RUNNING_MS: '1000' },
      // No worker: each test decides who takes the job.
      dataplaneEnv: { PLUMBLINE_WORKER_ENABLED: 'false' },
    });
    queue = new Queue(stack.queueName, { connection: redisOptionsFromUrl(await serviceUrl('redis')) });
    api = stack.clients();
    datastoreId = await salesDatastore(api, source, 'lost-sales');
  });

  afterAll(async () => {
    await queue?.close();
    await stack?.stop();
    await source?.drop();
    await database?.drop();
  });

  it('ends an operation whose job failed on every attempt as WORKER_FAILED, instead of leaving it queued', async () => {
    const { operation } = await api.operations.enqueueOperation({ datastoreId, type: OperationType.TEST_CONNECTION });
    // A worker whose every attempt throws, as one does while the broker cannot be reached.
    const failing = new Worker(
      stack.queueName,
      async () => {
        throw new Error('the broker cannot be reached');
      },
      { connection: { ...redisOptionsFromUrl(await serviceUrl('redis')), maxRetriesPerRequest: null } },
    );
    try {
      const done = await waitFor(api, operation!.id, finished);
      expect(done.status).toBe(OperationStatus.FAILURE);
      expect(done.error?.code).toBe('WORKER_FAILED');
      expect(await queue.getJobState(operation!.id)).toBe('failed');
    } finally {
      await failing.close();
    }
  });

  it('offers a RUNNING operation whose job Redis lost to the queue again; the next attempt finishes it', async () => {
    const { operation } = await api.operations.enqueueOperation({ datastoreId, type: OperationType.TEST_CONNECTION });
    const id = operation!.id;
    // What a worker that took the job and died, with a Redis that then lost its data, leaves behind.
    await queue.remove(id);
    await postgresAdmin(
      (client) =>
        client.query(
          `UPDATE operation SET status = 'running', attempt = 1, started_at = now(), updated_at = now() - interval '1 minute' WHERE id = $1`,
          [id],
        ),
      database.name,
    );
    expect(await queue.getJobState(id)).toBe('unknown');

    await stack.addDataplane({ PLUMBLINE_WORKER_ENABLED: 'true' });
    const done = await waitFor(api, id, finished);
    expect(done.status).toBe(OperationStatus.SUCCESS);
    expect(done.attempt).toBe(2);
  });
});
