import * as grpc from '@grpc/grpc-js';
import { dataplane } from '@plumbline/proto';
import {
  createPostgresDatabase,
  postgresAdmin,
  startPlumblineStack,
  startScratchPostgres,
  type ControlplaneClients,
  type PlumblineStack,
  type ScratchPostgres,
  type TestDatabase,
} from '@plumbline/testing';
import { expectGrpcError } from './support/grpc-expect';
import {
  createLocalPostgresSource,
  createMysqlSource,
  createScratchPostgresSource,
  plantedSecret,
  type MysqlSource,
  type PostgresSource,
} from './support/source-databases';

jest.setTimeout(60_000);

const { StepStatus, TestErrorCode } = dataplane;

describe('connection and datastore lifecycle, end to end over mTLS', () => {
  let controlplaneDb: TestDatabase;
  let stack: PlumblineStack;
  let api: ControlplaneClients;
  let local: PostgresSource;
  let scram: ScratchPostgres;
  let scramSource: PostgresSource;
  let maria: MysqlSource;

  const rowCounts = () =>
    postgresAdmin(async (client) => {
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM connection)::int AS connections, (SELECT count(*) FROM datastore)::int AS datastores`,
      );
      return rows[0] as { connections: number; datastores: number };
    }, controlplaneDb.name);

  const pgSpec = (source: PostgresSource, overrides: Record<string, string> = {}, name = 'pg-conn') => ({
    name,
    connector: 'postgresql',
    authMethod: 'basic',
    properties: {
      host: source.host,
      port: String(source.port),
      username: source.user,
      password: source.password,
      ssl_mode: 'disable',
      ...overrides,
    },
  });

  beforeAll(async () => {
    controlplaneDb = await createPostgresDatabase('plb_cp');
    scram = await startScratchPostgres({ superuserPassword: plantedSecret('scram-admin') });
    [local, scramSource, maria] = await Promise.all([
      createLocalPostgresSource(),
      createScratchPostgresSource(scram),
      createMysqlSource(),
    ]);
    stack = await startPlumblineStack({ databaseUrl: controlplaneDb.url });
    api = stack.clients();
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([local?.drop(), maria?.drop(), scram?.stop()]);
    await controlplaneDb?.drop();
  });

  it('lists a property schema for every connector in the seed', async () => {
    const { connectorTypes } = await api.connections.listConnectorTypes({});
    expect(connectorTypes.map((c) => c.id).sort()).toEqual(
      [
        'athena',
        'bigquery',
        'databricks',
        'databricks_unity_catalog',
        'adls',
        'gcs',
        'hive',
        'mysql',
        'oracle',
        'postgresql',
        'redshift',
        's3',
        'snowflake',
        'sqlserver',
        'synapse',
        'teradata',
      ].sort(),
    );
    const postgres = connectorTypes.find((c) => c.id === 'postgresql')!;
    const password = postgres.authMethods.find((m) => m.id === 'basic')!.properties.find((p) => p.name === 'password');
    expect(password?.secret).toBe(true);
  });

  it('tests an unsaved connection step by step and writes nothing', async () => {
    const before = await rowCounts();
    const { result } = await api.connections.testConnection({
      connection: { case: 'spec', value: pgSpec(local) },
      scope: { database: local.database, schema: 'sales' },
    });
    expect(result?.ok).toBe(true);
    expect(result?.steps.map((s) => dataplane.StepName[s.name])).toEqual([
      'DNS_RESOLVE',
      'TCP_CONNECT',
      'TLS',
      'AUTHENTICATE',
      'SCOPE_PROBE',
      'PRIVILEGE_PROBE',
    ]);
    for (const step of result!.steps) {
      expect([StepStatus.PASSED, StepStatus.NOT_APPLICABLE]).toContain(step.status);
    }
    expect(await rowCounts()).toEqual(before);
  });

  describe('create, share, edit and delete', () => {
    let connectionId: string;
    let salesId: string;
    let marketingId: string;

    it('creates a datastore with a new connection only after a passing test, in one transaction', async () => {
      const created = await api.datastores.createDatastore({
        name: 'sales',
        connection: { case: 'newConnection', value: pgSpec(local, {}, 'warehouse-pg') },
        scope: { database: local.database, schema: 'sales' },
      });
      expect(created.testResult?.ok).toBe(true);
      expect(created.connection?.properties.password).toBe('********');
      expect(created.connection?.datastoreCount).toBe(1);
      connectionId = created.connection!.id;
      salesId = created.datastore!.id;
      expect(await rowCounts()).toEqual({ connections: 1, datastores: 1 });
    });

    it('refuses to create when the test fails, and writes nothing', async () => {
      const { detail, error } = await expectGrpcError(
        api.datastores.createDatastore({
          name: 'nope',
          connection: { case: 'newConnection', value: pgSpec(local, {}, 'broken-pg') },
          scope: { database: `${local.database}_missing`, schema: 'sales' },
        }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.reason).toBe('CONNECTION_TEST_FAILED');
      expect(detail?.testResult?.errorCode).toBe(TestErrorCode.DATABASE_NOT_FOUND);
      expect(error.details).toContain(`${local.database}_missing`);
      expect(await rowCounts()).toEqual({ connections: 1, datastores: 1 });
    });

    it('creates a second datastore on the existing connection without changing it', async () => {
      const before = await api.connections.getConnection({ id: connectionId });
      const created = await api.datastores.createDatastore({
        name: 'marketing',
        connection: { case: 'connectionId', value: connectionId },
        scope: { database: local.database, schema: 'marketing' },
      });
      marketingId = created.datastore!.id;
      const after = await api.connections.getConnection({ id: connectionId });
      expect(after.connection?.properties).toEqual(before.connection?.properties);
      expect(after.connection?.updateTime).toEqual(before.connection?.updateTime);
      expect(after.connection?.datastoreCount).toBe(2);
    });

    it('checks the existing credentials reach a new scope before adding it', async () => {
      const { detail } = await expectGrpcError(
        api.datastores.createDatastore({
          name: 'ghost',
          connection: { case: 'connectionId', value: connectionId },
          scope: { database: local.database, schema: 'no_such_schema' },
        }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.testResult?.errorCode).toBe(TestErrorCode.SCHEMA_NOT_FOUND);
      expect(await rowCounts()).toEqual({ connections: 1, datastores: 2 });
    });

    it('lists connections with masked secrets and usage counts', async () => {
      const { connections } = await api.connections.listConnections({});
      expect(connections).toHaveLength(1);
      expect(connections[0]?.properties.password).toBe('********');
      expect(connections[0]?.secretPropertiesSet).toEqual(['password']);
      expect(connections[0]?.datastoreCount).toBe(2);
      const { datastores } = await api.datastores.listDatastores({ connectionId });
      expect(datastores.map((d) => d.name)).toEqual(['sales', 'marketing']);
    });

    it('tests a saved datastore', async () => {
      const { result } = await api.datastores.testDatastore({ id: marketingId });
      expect(result?.ok).toBe(true);
    });

    it('edits a datastore: only the fields given, a new scope verified first, a refused edit changing nothing', async () => {
      const get = async () => (await api.datastores.getDatastore({ id: marketingId })).datastore!;
      const original = await get();
      const renamed = await api.datastores.updateDatastore({ id: marketingId, name: 'marketing-2', scope: {} });
      expect(renamed.datastore).toMatchObject({ name: 'marketing-2', scope: original.scope });

      const beforeRefusals = await get();
      const unreachable = await expectGrpcError(
        api.datastores.updateDatastore({ id: marketingId, name: 'never', scope: { database: local.database, schema: 'no_such_schema' } }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(unreachable.detail?.testResult?.errorCode).toBe(TestErrorCode.SCHEMA_NOT_FOUND);
      const taken = await expectGrpcError(api.datastores.updateDatastore({ id: marketingId, name: 'sales', scope: {} }), grpc.status.ALREADY_EXISTS);
      expect(taken.detail).toMatchObject({ reason: 'DATASTORE_NAME_TAKEN', field: 'name' });
      expect(await get()).toEqual(beforeRefusals);

      // A rescope (verified over the dataplane first) and a rename at once: neither undoes the other.
      const sales = { database: local.database, schema: 'sales' };
      await Promise.all([
        api.datastores.updateDatastore({ id: marketingId, name: '', scope: sales }),
        api.datastores.updateDatastore({ id: marketingId, name: 'marketing', scope: {} }),
      ]);
      expect(await get()).toMatchObject({ name: 'marketing', scope: sales });

      await api.datastores.updateDatastore({ id: marketingId, name: '', scope: original.scope });
      expect(await get()).toMatchObject({ name: original.name, scope: original.scope });
      const missing = await expectGrpcError(
        api.datastores.updateDatastore({ id: '00000000-0000-4000-8000-000000000000', name: 'x', scope: {} }),
        grpc.status.NOT_FOUND,
      );
      expect(missing.detail?.field).toBe('id');
      expect(await rowCounts()).toEqual({ connections: 1, datastores: 2 });
    });

    it('keeps the stored password when an edit sends the mask back', async () => {
      const { connection } = await api.connections.getConnection({ id: connectionId });
      const updated = await api.connections.updateConnection({
        id: connectionId,
        properties: { ...connection!.properties, port: '5432' },
      });
      expect(updated.verifiedDatastores).toBe(2);
      const { result } = await api.datastores.testDatastore({ id: salesId });
      expect(result?.ok).toBe(true);
    });

    it('refuses to clear a required secret', async () => {
      const { connection } = await api.connections.getConnection({ id: connectionId });
      const { detail } = await expectGrpcError(
        api.connections.updateConnection({
          id: connectionId,
          properties: connection!.properties,
          clearSecretProperties: ['password'],
        }),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(detail?.field).toBe('properties.password');
    });

    it('rejects an edit that breaks any datastore, names which and why, and changes nothing', async () => {
      const before = await api.connections.getConnection({ id: connectionId });
      const { detail, error } = await expectGrpcError(
        api.connections.updateConnection({
          id: connectionId,
          properties: { ...before.connection!.properties, port: '1' },
        }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.reason).toBe('CONNECTION_VERIFICATION_FAILED');
      expect(detail?.datastoreFailures.map((f) => f.datastoreName).sort()).toEqual(['marketing', 'sales']);
      expect(detail?.datastoreFailures[0]?.testResult?.errorCode).toBe(TestErrorCode.CONNECTION_REFUSED);
      expect(error.details).toContain('sales');
      const after = await api.connections.getConnection({ id: connectionId });
      expect(after.connection).toEqual(before.connection);
    });

    it('refuses to delete a connection still in use, naming the datastores', async () => {
      const { detail } = await expectGrpcError(
        api.connections.deleteConnection({ id: connectionId }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.reason).toBe('CONNECTION_IN_USE');
      expect(detail?.blockingIds.sort()).toEqual([salesId, marketingId].sort());
      expect(await rowCounts()).toEqual({ connections: 1, datastores: 2 });
    });

    it('keeps an orphaned connection listed and reusable, then deletes it', async () => {
      await api.datastores.deleteDatastore({ id: salesId });
      await api.datastores.deleteDatastore({ id: marketingId });
      const { connections } = await api.connections.listConnections({});
      const orphan = connections.find((c) => c.id === connectionId)!;
      expect(orphan.datastoreCount).toBe(0);

      // An orphan's edit is still verified, at connection level.
      const refused = await expectGrpcError(
        api.connections.updateConnection({ id: connectionId, properties: { ...orphan.properties, port: '1' } }),
        grpc.status.UNAVAILABLE,
      );
      expect(refused.detail?.testResult?.errorCode).toBe(TestErrorCode.CONNECTION_REFUSED);
      const renamed = await api.connections.updateConnection({ id: connectionId, name: 'orphan-renamed', properties: orphan.properties });
      expect(renamed.connection?.name).toBe('orphan-renamed');

      const reused = await api.datastores.createDatastore({
        name: 'sales-again',
        connection: { case: 'connectionId', value: connectionId },
        scope: { database: local.database, schema: 'sales' },
      });
      await api.datastores.deleteDatastore({ id: reused.datastore!.id });
      await api.connections.deleteConnection({ id: connectionId });
      await expectGrpcError(api.connections.getConnection({ id: connectionId }), grpc.status.NOT_FOUND);
      expect(await rowCounts()).toEqual({ connections: 0, datastores: 0 });
    });
  });

  describe('classified failures', () => {
    const testUnsaved = async (spec: ReturnType<typeof pgSpec>, scope: Record<string, string>) => {
      const { result } = await api.connections.testConnection({ connection: { case: 'spec', value: spec }, scope });
      return result!;
    };
    const failedStep = (result: dataplane.ConnectionTestResult) =>
      result.steps.find((s) => s.status === StepStatus.FAILED);

    it('wrong password on PostgreSQL (SCRAM cluster)', async () => {
      const wrong = plantedSecret('wrong-pg');
      const result = await testUnsaved(pgSpec(scramSource, { password: wrong }), {
        database: scramSource.database,
        schema: 'sales',
      });
      expect(result.errorCode).toBe(TestErrorCode.AUTHENTICATION_FAILED);
      expect(dataplane.StepName[failedStep(result)!.name]).toBe('AUTHENTICATE');
      expect(JSON.stringify(result)).not.toContain(wrong);
      expect(result.steps.at(-1)?.status).toBe(StepStatus.SKIPPED);
    });

    it('right password on PostgreSQL (SCRAM cluster)', async () => {
      const result = await testUnsaved(pgSpec(scramSource), { database: scramSource.database, schema: 'sales' });
      expect(result.ok).toBe(true);
    });

    it('wrong port', async () => {
      const result = await testUnsaved(pgSpec(local, { port: '1' }), { database: local.database, schema: 'sales' });
      expect(result.errorCode).toBe(TestErrorCode.CONNECTION_REFUSED);
      expect(failedStep(result)?.message).toContain('127.0.0.1:1');
      expect(failedStep(result)?.hint).toMatch(/127\.0\.0\.1/);
    });

    it('unknown database', async () => {
      const result = await testUnsaved(pgSpec(local), { database: 'no_such_db_x', schema: 'sales' });
      expect(result.errorCode).toBe(TestErrorCode.DATABASE_NOT_FOUND);
    });

    it('unknown schema', async () => {
      const result = await testUnsaved(pgSpec(local), { database: local.database, schema: 'nope' });
      expect(result.errorCode).toBe(TestErrorCode.SCHEMA_NOT_FOUND);
    });

    it('permission denied on a schema the role cannot SELECT from', async () => {
      const result = await testUnsaved(pgSpec(local), { database: local.database, schema: 'restricted' });
      expect(result.errorCode).toBe(TestErrorCode.PERMISSION_DENIED);
    });

    it('wrong password on MariaDB', async () => {
      const wrong = plantedSecret('wrong-maria');
      const { result } = await api.connections.testConnection({
        connection: {
          case: 'spec',
          value: {
            name: 'maria',
            connector: 'mysql',
            properties: {
              host: maria.host,
              port: String(maria.port),
              username: maria.user,
              password: wrong,
              ssl_mode: 'disable',
            },
          },
        },
        scope: { database: maria.database },
      });
      expect(result?.errorCode).toBe(TestErrorCode.AUTHENTICATION_FAILED);
      expect(JSON.stringify(result)).not.toContain(wrong);
    });

    it('bad input is INVALID_ARGUMENT naming the field', async () => {
      const port = await expectGrpcError(
        api.connections.testConnection({
          connection: { case: 'spec', value: pgSpec(local, { port: 'abc' }) },
          scope: { database: local.database, schema: 'sales' },
        }),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(port.detail?.field).toMatch(/properties\.port$/);
      const unknown = await expectGrpcError(
        api.connections.testConnection({
          connection: { case: 'spec', value: { ...pgSpec(local), connector: 'nosuchdb' } },
          scope: {},
        }),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(unknown.detail?.field).toMatch(/connector$/);
      const badId = await expectGrpcError(api.connections.getConnection({ id: 'not-a-uuid' }), grpc.status.INVALID_ARGUMENT);
      expect(badId.detail?.field).toBe('id');
    });

    it('a connector without a driver answers UNIMPLEMENTED with its name', async () => {
      const { error } = await expectGrpcError(
        api.connections.testConnection({
          connection: {
            case: 'spec',
            value: {
              name: 'snow',
              connector: 'snowflake',
              authMethod: 'basic',
              properties: { account: 'xy12345.eu-west-1', warehouse: 'WH', username: 'u', password: 'p' },
            },
          },
          scope: { database: 'DB', schema: 'PUBLIC' },
        }),
        grpc.status.UNIMPLEMENTED,
      );
      expect(error.details).toContain('snowflake');
    });
  });

  describe('MySQL / MariaDB lifecycle', () => {
    it('creates, lists, tests and deletes a datastore on MariaDB', async () => {
      const created = await api.datastores.createDatastore({
        name: 'maria-crm',
        connection: {
          case: 'newConnection',
          value: {
            name: 'maria-conn',
            connector: 'mysql',
            properties: {
              host: maria.host,
              port: String(maria.port),
              username: maria.user,
              password: maria.password,
              ssl_mode: 'disable',
            },
          },
        },
        scope: { database: maria.database },
      });
      expect(created.testResult?.ok).toBe(true);
      const { result } = await api.datastores.testDatastore({ id: created.datastore!.id });
      expect(result?.ok).toBe(true);
      await expectGrpcError(
        api.connections.deleteConnection({ id: created.connection!.id }),
        grpc.status.FAILED_PRECONDITION,
      );
      await api.datastores.deleteDatastore({ id: created.datastore!.id });
      await api.connections.deleteConnection({ id: created.connection!.id });
    });
  });
});
