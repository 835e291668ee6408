import { isServiceError } from '@plumbline/grpc';
import {
  createPostgresDatabase,
  serviceUrl,
  startPlumblineStack,
  startScratchPostgres,
  type PlumblineStack,
  type ScratchPostgres,
  type TestDatabase,
} from '@plumbline/testing';
import Redis from 'ioredis';
import { rawTableBytes } from './support/raw-table-bytes';
import {
  createMysqlSource,
  createScratchPostgresSource,
  plantedSecret,
  type MysqlSource,
  type PostgresSource,
} from './support/source-databases';

jest.setTimeout(90_000);

/**
 * Plants unique secret values, runs the whole lifecycle including failures, and
 * then looks for the plaintext everywhere it could escape to: every response,
 * every error (message and trailers), every log line of both services, the raw
 * bytes of the controlplane's tables, and Redis.
 */
describe('no secret leaves the vault', () => {
  let database: TestDatabase;
  let stack: PlumblineStack;
  let scram: ScratchPostgres;
  let pg: PostgresSource;
  let maria: MysqlSource;
  const planted: string[] = [];
  const seen: string[] = [];

  const record = (value: unknown) =>
    seen.push(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

  /** Runs a call, records its response or its error (message, details and trailer bytes). */
  async function observe<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      const response = await call;
      record(response);
      return response;
    } catch (error) {
      if (!isServiceError(error)) throw error;
      seen.push(error.message, error.details);
      for (const [key, value] of Object.entries(error.metadata.getMap())) {
        seen.push(key, Buffer.isBuffer(value) ? value.toString('latin1') : String(value));
      }
      return undefined;
    }
  }

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_leak');
    scram = await startScratchPostgres({ superuserPassword: plantedSecret('admin') });
    [pg, maria] = await Promise.all([createScratchPostgresSource(scram), createMysqlSource()]);
    planted.push(pg.password, maria.password);
    stack = await startPlumblineStack({ databaseUrl: database.url });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([maria?.drop(), scram?.stop()]);
    await database?.drop();
  });

  it('runs the lifecycle with planted secrets, failures included', async () => {
    const api = stack.clients();
    const pgProperties = (password: string) => ({
      host: pg.host,
      port: String(pg.port),
      username: pg.user,
      password,
      ssl_mode: 'disable',
    });
    const scope = { database: pg.database, schema: 'sales' };
    const wrongPassword = plantedSecret('wrong');
    const nextWrongPassword = plantedSecret('edit-wrong');
    planted.push(wrongPassword, nextWrongPassword);

    const ok = await observe(
      api.connections.testConnection({
        connection: { case: 'spec', value: { name: 'leak-pg', connector: 'postgresql', properties: pgProperties(pg.password) } },
        scope,
      }),
    );
    // Positive control: the planted secret really was used, and worked.
    expect(ok?.result?.ok).toBe(true);
    await observe(
      api.connections.testConnection({
        connection: { case: 'spec', value: { name: 'leak-pg', connector: 'postgresql', properties: pgProperties(wrongPassword) } },
        scope,
      }),
    );
    await observe(
      api.datastores.createDatastore({
        name: 'leak-bad',
        connection: { case: 'newConnection', value: { name: 'leak-bad', connector: 'postgresql', properties: pgProperties(wrongPassword) } },
        scope,
      }),
    );
    const created = await observe(
      api.datastores.createDatastore({
        name: 'leak-sales',
        connection: { case: 'newConnection', value: { name: 'leak-pg', connector: 'postgresql', properties: pgProperties(pg.password) } },
        scope,
      }),
    );
    const connectionId = created!.connection!.id;
    await observe(
      api.datastores.createDatastore({
        name: 'leak-marketing',
        connection: { case: 'connectionId', value: connectionId },
        scope: { database: pg.database, schema: 'marketing' },
      }),
    );
    const mariaCreated = await observe(
      api.datastores.createDatastore({
        name: 'leak-maria',
        connection: {
          case: 'newConnection',
          value: {
            name: 'leak-maria',
            connector: 'mysql',
            properties: { host: maria.host, port: String(maria.port), username: maria.user, password: maria.password, ssl_mode: 'disable' },
          },
        },
        scope: { database: maria.database },
      }),
    );
    expect(mariaCreated?.testResult?.ok).toBe(true);
    await observe(api.connections.listConnections({}));
    const got = await observe(api.connections.getConnection({ id: connectionId }));
    await observe(api.datastores.listDatastores({}));
    await observe(api.datastores.testDatastore({ id: created!.datastore!.id }));
    // An edit that fails verification with a planted wrong password.
    await observe(
      api.connections.updateConnection({ id: connectionId, properties: { ...got!.connection!.properties, password: nextWrongPassword } }),
    );
    // A round trip through get + update with the mask.
    await observe(api.connections.updateConnection({ id: connectionId, properties: got!.connection!.properties }));
    await observe(api.connections.deleteConnection({ id: connectionId }));
    await observe(api.connections.testConnection({ connection: { case: 'connectionId', value: connectionId }, scope: { database: 'nope', schema: 'x' } }));
    // Bad input carrying a secret.
    await observe(
      api.connections.testConnection({
        connection: { case: 'spec', value: { name: 'x', connector: 'postgresql', properties: { ...pgProperties(wrongPassword), port: 'abc' } } },
        scope,
      }),
    );
    await observe(
      api.connections.testConnection({
        connection: { case: 'spec', value: { name: 'x', connector: 'postgresql', properties: { ...pgProperties(wrongPassword), bogus: wrongPassword } } },
        scope,
      }),
    );
    expect(seen.length).toBeGreaterThan(10);
  });

  it('no response or error contains a planted secret', () => {
    const text = seen.join('\n');
    expect(text).toContain('leak-pg'); // the haystack is real
    for (const secret of planted) expect(text).not.toContain(secret);
  });

  it('no log line of either service contains a planted secret', () => {
    const logs = stack.output().join('\n');
    expect(logs).toContain('connection test finished'); // the haystack is real
    for (const secret of planted) expect(logs).not.toContain(secret);
  });

  it('the raw bytes of the controlplane tables hold ciphertext only', async () => {
    const bytes = await rawTableBytes(database.name, ['connection', 'datastore']);
    expect(bytes.includes(Buffer.from('leak-pg'))).toBe(true); // the haystack is real
    expect(bytes.includes(Buffer.from('plb1.v1.'))).toBe(true);
    for (const secret of planted) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('Redis holds no secret in any key or value', async () => {
    const redis = new Redis(await serviceUrl('redis'));
    try {
      const keys = await redis.keys('*');
      const values = await Promise.all(
        keys.map(async (key) => ((await redis.type(key)) === 'string' ? ((await redis.get(key)) ?? '') : '')),
      );
      const text = [...keys, ...values].join('\n');
      for (const secret of planted) expect(text).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
  });
});
