import * as grpc from '@grpc/grpc-js';
import { isServiceError } from '@plumbline/grpc';
import { dataplane } from '@plumbline/proto';
import {
  createPostgresDatabase,
  startApiGatewayFake,
  startAzureKeyVaultFake,
  startPlumblineStack,
  startScratchPostgres,
  startVaultFake,
  type ControlplaneClients,
  type PlumblineStack,
  type ScratchPostgres,
  type TestDatabase,
  type VaultFake,
} from '@plumbline/testing';
import { Client } from 'pg';
import { expectGrpcError } from './support/grpc-expect';
import { rawTableBytes } from './support/raw-table-bytes';
import { createScratchPostgresSource, plantedSecret, type PostgresSource } from './support/source-databases';

jest.setTimeout(90_000);

const VAULT_USER = 'plumbline';
const SECRET_PATH = 'plumbline/warehouse';

describe('secrets managers, end to end', () => {
  let database: TestDatabase;
  let stack: PlumblineStack;
  let api: ControlplaneClients;
  let cluster: ScratchPostgres;
  let source: PostgresSource;
  let vault: VaultFake;
  const vaultPassword = plantedSecret('vault-login');
  /** Every secret value planted anywhere in this file: none may leak. */
  const planted: string[] = [vaultPassword];
  const seen: string[] = [];

  /** Runs a call and keeps what came back (response or error) for the leak check. */
  async function observe<T>(call: Promise<T>): Promise<T> {
    try {
      const response = await call;
      seen.push(JSON.stringify(response, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      return response;
    } catch (error) {
      if (isServiceError(error)) {
        seen.push(error.message);
        for (const value of Object.values(error.metadata.getMap())) seen.push(Buffer.from(value as Buffer).toString('latin1'));
      }
      throw error;
    }
  }

  const vaultSpec = (overrides: Record<string, string> = {}) => ({
    name: 'vault',
    loginUrl: vault.loginUrl(VAULT_USER),
    credentialsPayload: JSON.stringify({ password: vaultPassword }),
    tokenPath: '$.auth.client_token',
    secretUrl: vault.secretUrl(SECRET_PATH),
    tokenHeader: 'X-Vault-Token',
    dataPath: '$.data.data',
    ...overrides,
  });

  const pgSpec = (secretsManagerId: string, properties: Record<string, string> = {}) => ({
    name: `pg-${Math.random().toString(36).slice(2, 8)}`,
    connector: 'postgresql',
    secretsManagerId,
    properties: {
      host: source.host,
      port: String(source.port),
      username: '${pg_user}',
      password: '${pg_password}',
      ssl_mode: 'disable',
      ...properties,
    },
  });

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_sm');
    cluster = await startScratchPostgres({ superuserPassword: plantedSecret('admin') });
    source = await createScratchPostgresSource(cluster);
    planted.push(source.password);
    vault = await startVaultFake({
      users: { [VAULT_USER]: vaultPassword },
      secrets: { [SECRET_PATH]: { pg_user: source.user, pg_password: source.password, note: 'kept' } },
    });
    stack = await startPlumblineStack({ databaseUrl: database.url });
    api = stack.clients();
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([vault?.close(), cluster?.stop()]);
    await database?.drop();
  });

  let vaultId: string;
  let datastoreId: string;
  let connectionId: string;

  it('creates an integration, reads it back masked, and tests it (key names only)', async () => {
    const { secretsManager } = await observe(api.secretsManagers.createSecretsManager({ spec: vaultSpec() }));
    vaultId = secretsManager!.id;
    expect(secretsManager?.credentialsPayload).toBe('********');
    const { keys } = await observe(api.secretsManagers.testSecretsManager({ secretsManager: { case: 'id', value: vaultId } }));
    expect(keys).toEqual(['note', 'pg_password', 'pg_user']);
  });

  it('creates a datastore whose credentials are ${} references, resolved on use', async () => {
    const created = await observe(
      api.datastores.createDatastore({
        name: 'vault-sales',
        connection: { case: 'newConnection', value: pgSpec(vaultId) },
        scope: { database: source.database, schema: 'sales' },
      }),
    );
    expect(created.testResult?.ok).toBe(true);
    datastoreId = created.datastore!.id;
    connectionId = created.connection!.id;
    // The references are what is stored and shown, never the resolved values.
    expect(created.connection?.properties.username).toBe('${pg_user}');
    expect(created.connection?.properties.password).toBe('********');
    expect(created.connection?.secretsManagerId).toBe(vaultId);
  });

  it('picks up a rotated secret on the next use with no change to Plumbline', async () => {
    const fetchesBefore = vault.requestCount('secret');
    const rotated = plantedSecret('rotated');
    planted.push(rotated);
    const admin = new Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      await admin.query(`ALTER ROLE "${source.user}" PASSWORD '${rotated}'`);
    } finally {
      await admin.end();
    }
    // The database changed, the vault not yet: the old value fails.
    const stale = await observe(api.datastores.testDatastore({ id: datastoreId }));
    expect(stale.result?.errorCode).toBe(dataplane.TestErrorCode.AUTHENTICATION_FAILED);

    vault.setSecret(SECRET_PATH, { pg_user: source.user, pg_password: rotated, note: 'kept' });
    const fresh = await observe(api.datastores.testDatastore({ id: datastoreId }));
    expect(fresh.result?.ok).toBe(true);
    // Fetched on every use: one fetch per test, no cache.
    expect(vault.requestCount('secret')).toBe(fetchesBefore + 2);

    const { connection } = await observe(api.connections.getConnection({ id: connectionId }));
    const edited = await observe(
      api.connections.updateConnection({ id: connectionId, properties: { ...connection!.properties, ssl_mode: 'prefer' } }),
    );
    expect(edited.verifiedDatastores).toBe(1);
  });

  it('works with other response shapes, configured only through JSONPaths', async () => {
    const gateway = await startApiGatewayFake({ clients: { app: 'gw-secret' }, secrets: { db: { user: 'u', pass: 'p' } } });
    const azure = await startAzureKeyVaultFake({ clients: { app: 'az-secret' }, secrets: { db: { user: 'u', pass: 'p' } } });
    try {
      const viaGateway = await observe(
        api.secretsManagers.testSecretsManager({
          secretsManager: {
            case: 'spec',
            value: {
              name: 'gateway',
              loginUrl: gateway.loginUrl,
              credentialsPayload: JSON.stringify({ client_id: 'app', client_secret: 'gw-secret' }),
              tokenPath: '$.access.token',
              secretUrl: gateway.secretUrl('db'),
              tokenHeader: 'x-api-token',
              dataPath: '$.result.secret',
            },
          },
        }),
      );
      expect(viaGateway.keys).toEqual(['pass', 'user']);
      const viaAzure = await observe(
        api.secretsManagers.testSecretsManager({
          secretsManager: {
            case: 'spec',
            value: {
              name: 'azure',
              loginUrl: azure.loginUrl,
              credentialsPayload: JSON.stringify({ client_id: 'app', client_secret: 'az-secret', grant_type: 'client_credentials' }),
              tokenPath: '$.access_token',
              secretUrl: azure.secretUrl('db'),
              tokenHeader: 'Authorization',
              tokenPrefix: 'Bearer ',
              dataPath: '$.value',
            },
          },
        }),
      );
      expect(viaAzure.keys).toEqual(['pass', 'user']);
    } finally {
      await Promise.all([gateway.close(), azure.close()]);
    }
  });

  describe('errors a person can act on', () => {
    const testSpec = (overrides: Record<string, string>) =>
      observe(api.secretsManagers.testSecretsManager({ secretsManager: { case: 'spec', value: vaultSpec(overrides) } }));

    it('login refused, with its status', async () => {
      const wrong = plantedSecret('wrong-vault');
      planted.push(wrong);
      const { detail, error } = await expectGrpcError(
        testSpec({ credentialsPayload: JSON.stringify({ password: wrong }) }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.reason).toBe('LOGIN_REFUSED');
      expect(error.details).toContain('403');
    });

    it('token path matched nothing', async () => {
      const { detail } = await expectGrpcError(testSpec({ tokenPath: '$.auth.nope' }), grpc.status.FAILED_PRECONDITION);
      expect(detail).toMatchObject({ reason: 'TOKEN_PATH_NO_MATCH', field: 'token_path' });
    });

    it('secret fetch refused, with its status', async () => {
      const { detail, error } = await expectGrpcError(
        testSpec({ secretUrl: vault.secretUrl('no/such/secret') }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.reason).toBe('SECRET_FETCH_REFUSED');
      expect(error.details).toContain('404');
    });

    it('data path matched nothing', async () => {
      const { detail } = await expectGrpcError(testSpec({ dataPath: '$.data.nothing' }), grpc.status.FAILED_PRECONDITION);
      expect(detail).toMatchObject({ reason: 'DATA_PATH_NO_MATCH', field: 'data_path' });
    });

    it('a reference not among the keys names the property and lists key names, never values', async () => {
      const { detail, error } = await expectGrpcError(
        api.connections.testConnection({
          connection: { case: 'spec', value: pgSpec(vaultId, { password: '${db_password}' }) },
          scope: { database: source.database, schema: 'sales' },
        }),
        grpc.status.FAILED_PRECONDITION,
      );
      seen.push(error.message);
      expect(detail).toMatchObject({ reason: 'REFERENCE_NOT_FOUND', field: 'properties.password' });
      expect(error.details).toContain('${db_password}');
      expect(error.details).toContain('note, pg_password, pg_user');
    });

    it('a malformed reference', async () => {
      const { detail } = await expectGrpcError(
        observe(
          api.connections.testConnection({
            connection: { case: 'spec', value: pgSpec(vaultId, { password: '${unterminated' }) },
            scope: { database: source.database, schema: 'sales' },
          }),
        ),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(detail).toMatchObject({ reason: 'MALFORMED_REFERENCE', field: 'properties.password' });
    });

    it('references without a secrets manager', async () => {
      const { detail } = await expectGrpcError(
        api.connections.testConnection({
          connection: { case: 'spec', value: pgSpec('') },
          scope: { database: source.database, schema: 'sales' },
        }),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(detail?.field).toBe('properties.username');
    });

    it('a cloud metadata address is refused by the network policy before any request', async () => {
      const { detail } = await expectGrpcError(
        testSpec({ loginUrl: 'http://169.254.169.254/latest/api/token' }),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(detail).toMatchObject({ reason: 'DENIED_ADDRESS', field: 'login_url' });
    });

    it('deleting an integration a connection uses is refused like a connection in use', async () => {
      const { detail } = await expectGrpcError(
        api.secretsManagers.deleteSecretsManager({ id: vaultId }),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(detail?.reason).toBe('SECRETS_MANAGER_IN_USE');
    });
  });

  it('a masked payload sent back keeps the stored one', async () => {
    const { secretsManager } = await observe(api.secretsManagers.getSecretsManager({ id: vaultId }));
    await observe(
      api.secretsManagers.updateSecretsManager({ id: vaultId, spec: { ...vaultSpec(), credentialsPayload: secretsManager!.credentialsPayload } }),
    );
    const { keys } = await observe(api.secretsManagers.testSecretsManager({ secretsManager: { case: 'id', value: vaultId } }));
    expect(keys).toContain('pg_password');
  });

  it('an edit that sends the mask back never undoes a new payload saved at the same time', async () => {
    const stalePassword = plantedSecret('stale-vault');
    planted.push(stalePassword);
    const { secretsManager } = await observe(api.secretsManagers.getSecretsManager({ id: vaultId }));
    const mask = secretsManager!.credentialsPayload;
    for (let round = 0; round < 20; round += 1) {
      await observe(
        api.secretsManagers.updateSecretsManager({ id: vaultId, spec: vaultSpec({ credentialsPayload: JSON.stringify({ password: stalePassword }) }) }),
      );
      await Promise.all([
        observe(api.secretsManagers.updateSecretsManager({ id: vaultId, spec: vaultSpec() })), // the right password again
        observe(api.secretsManagers.updateSecretsManager({ id: vaultId, spec: vaultSpec({ name: `vault-${round}`, credentialsPayload: mask }) })),
      ]);
      const { keys } = await observe(api.secretsManagers.testSecretsManager({ secretsManager: { case: 'id', value: vaultId } }));
      expect(keys).toContain('pg_password');
    }
    await observe(api.secretsManagers.updateSecretsManager({ id: vaultId, spec: vaultSpec() }));
  });

  it('stores the credentials payload as ciphertext only', async () => {
    const bytes = await rawTableBytes(database.name, ['secrets_manager', 'connection']);
    expect(bytes.includes(Buffer.from('$.auth.client_token'))).toBe(true); // the haystack is real
    for (const secret of planted) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('leaks no secret value, token or credentials payload into responses, errors or logs', () => {
    const tokens = vault.issuedTokens();
    expect(tokens.length).toBeGreaterThan(3);
    const haystack = [...seen, ...stack.output()].join('\n');
    expect(haystack).toContain('vault-sales'); // the haystack is real
    for (const secret of [...planted, ...tokens]) expect(haystack).not.toContain(secret);
  });
});
