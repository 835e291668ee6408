import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createClient, isServiceError, type ClientOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import {
  createPostgresDatabase,
  postgresAdmin,
  startPlumblineStack,
  type ControlplaneClients,
  type PlumblineStack,
  type TestDatabase,
} from '@plumbline/testing';
// Test-side only: seeds rows exactly as the controlplane seals them, with the same key ring.
import { SecretCipher, parseKeyRing } from '../services/controlplane/src/crypto';
import { expectGrpcError } from './support/grpc-expect';
import { createLocalPostgresSource, type PostgresSource } from './support/source-databases';

jest.setTimeout(120_000);

/** Connection rows inserted directly (v1 ciphertexts), so a rotation takes a while. */
const EXTRA_CONNECTIONS = 400;

type KeyClient = ClientOf<typeof controlplane.KeyService>;

describe('at-rest key rotation, end to end under live traffic', () => {
  let database: TestDatabase;
  let source: PostgresSource;
  let dir: string;
  let ringPath: string;
  let stack: PlumblineStack;
  let api: ControlplaneClients;
  let keys: KeyClient;
  let datastoreId: string;
  let secretValues: number;

  const keyClient = (identity = 'cli'): KeyClient =>
    createClient(controlplane.KeyService, stack.controlplaneAddress, stack.pki.credentials(identity));

  /** Stored secret values per key version, straight from the database. */
  const versionsInDatabase = () =>
    postgresAdmin(async (client) => {
      const { rows } = await client.query<{ version: string; n: number }>(
        `SELECT split_part(secret_properties, '.', 2) AS version, count(*)::int AS n
           FROM connection WHERE secret_properties IS NOT NULL GROUP BY 1 ORDER BY 1`,
      );
      return Object.fromEntries(rows.map((row) => [row.version, row.n]));
    }, database.name);

  const listed = async (client: KeyClient) =>
    Object.fromEntries(
      (await client.listKeys({})).keys.map((key) => [`${key.version}${key.primary ? '*' : ''}`, Number(key.ciphertexts)]),
    );

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_keys_e2e');
    source = await createLocalPostgresSource();
    dir = mkdtempSync(join(tmpdir(), 'plumbline-keys-e2e-'));
    ringPath = join(dir, 'keyring');
    const v1 = `v1:${randomBytes(32).toString('base64')}`;
    writeFileSync(ringPath, `# e2e key ring\n${v1}\n`, { mode: 0o600 });

    stack = await startPlumblineStack({ databaseUrl: database.url, keyRingFile: ringPath });
    api = stack.clients();
    keys = keyClient();

    const created = await api.datastores.createDatastore({
      name: 'sales',
      connection: {
        case: 'newConnection',
        value: {
          name: 'warehouse',
          connector: 'postgresql',
          authMethod: 'basic',
          properties: {
            host: source.host,
            port: String(source.port),
            username: source.user,
            password: source.password,
            ssl_mode: 'disable',
          },
        },
      },
      scope: { database: source.database, schema: 'sales' },
    });
    datastoreId = created.datastore!.id;

    const cipher = new SecretCipher(parseKeyRing(v1));
    const ids = Array.from({ length: EXTRA_CONNECTIONS }, () => randomUUID());
    await postgresAdmin(
      (client) =>
        client.query(
          `INSERT INTO connection (id, name, connector, auth_method, properties, secret_properties, secret_property_names, version)
           SELECT id, 'bulk-' || id, 'postgresql', 'basic', '{}'::jsonb, secret, '{password}', 1
             FROM unnest($1::uuid[], $2::text[]) AS t(id, secret)`,
          [
            ids,
            ids.map((id) =>
              cipher.encrypt(JSON.stringify({ password: `bulk-${id}` }), {
                table: 'connection',
                rowId: id,
                column: 'secret_properties',
              }),
            ),
          ],
        ),
      database.name,
    );
    secretValues = EXTRA_CONNECTIONS + 1;
  });

  afterAll(async () => {
    keys?.close();
    await stack?.stop();
    await source?.drop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves KeyService to operator identities only', async () => {
    const dataplaneIdentity = keyClient('dataplane');
    try {
      await expectGrpcError(dataplaneIdentity.listKeys({}), grpc.status.PERMISSION_DENIED);
    } finally {
      dataplaneIdentity.close();
    }
    expect(await listed(keys)).toEqual({ 'v1*': secretValues });
  });

  it('rotates to a new version while Test Connection runs in a loop: no request fails, every row ends on it', async () => {
    let rotating = false;
    let stop = false;
    const failures: string[] = [];
    let completed = 0;
    let duringRotation = 0;
    const traffic = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const startedDuring = rotating;
        try {
          const { result } = await api.datastores.testDatastore({ id: datastoreId });
          if (!result?.ok) failures.push(`test failed: ${result?.summary}`);
        } catch (error) {
          failures.push(isServiceError(error) ? `${grpc.status[error.code]}: ${error.details}` : String(error));
        }
        completed++;
        if (startedDuring && rotating) duringRotation++;
      }
    });

    const messages: controlplane.RotateKeysResponse[] = [];
    try {
      while (completed < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      rotating = true;
      for await (const message of keys.rotateKeys({ addKeyVersion: true, newVersion: 'v2', batchSize: 5 })) {
        messages.push(message);
      }
      rotating = false;
      // A little more traffic once every row is on the new key.
      const after = completed;
      while (completed < after + 3) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      stop = true;
      await Promise.all(traffic);
    }

    expect(failures).toEqual([]);
    expect(duringRotation).toBeGreaterThan(0);
    expect(messages[0]).toMatchObject({ primaryVersion: 'v2', remaining: BigInt(secretValues), done: false });
    expect(messages.length).toBeGreaterThan(secretValues / 5);
    expect(messages.at(-1)).toMatchObject({ primaryVersion: 'v2', reencrypted: BigInt(secretValues), remaining: 0n, done: true });
    expect(await versionsInDatabase()).toEqual({ v2: secretValues });
    expect(await listed(keys)).toEqual({ v1: 0, 'v2*': secretValues });
  });

  it('finishes a rotation that died with its controlplane (SIGKILL) when it is run again', async () => {
    let killed = false;
    try {
      for await (const message of keys.rotateKeys({ addKeyVersion: true, newVersion: 'v3', batchSize: 2 })) {
        if (message.reencrypted > 0n) {
          stack.controlplane.child.kill('SIGKILL');
          killed = true;
          break;
        }
      }
    } catch (error) {
      if (!killed || !isServiceError(error)) throw error;
    }
    expect(killed).toBe(true);

    const halfway = await versionsInDatabase();
    expect(halfway.v3).toBeGreaterThan(0);
    expect(halfway.v2).toBeGreaterThan(0);
    expect((halfway.v2 ?? 0) + (halfway.v3 ?? 0)).toBe(secretValues);
    // The new version was made primary in the file before the first batch.
    expect(readFileSync(ringPath, 'utf8')).toMatch(/\nprimary=v3\n$/);

    keys.close();
    await stack.restartControlplane();
    keys = keyClient();
    api = stack.clients();

    const messages: controlplane.RotateKeysResponse[] = [];
    for await (const message of keys.rotateKeys({ batchSize: 50 })) messages.push(message);
    expect(messages[0]).toMatchObject({ primaryVersion: 'v3', remaining: BigInt(halfway.v2 ?? 0) });
    expect(messages.at(-1)).toMatchObject({ reencrypted: BigInt(halfway.v2 ?? 0), remaining: 0n, done: true });

    expect(await versionsInDatabase()).toEqual({ v3: secretValues });
    expect(await listed(keys)).toEqual({ v1: 0, v2: 0, 'v3*': secretValues });
    const { result } = await api.datastores.testDatastore({ id: datastoreId });
    expect(result?.ok).toBe(true);
  });

  it('retires the old versions, never the primary', async () => {
    const { detail } = await expectGrpcError(keys.retireKey({ version: 'v3' }), grpc.status.FAILED_PRECONDITION);
    expect(detail).toMatchObject({ reason: 'KEY_VERSION_IS_PRIMARY', field: 'version' });
    await expectGrpcError(keys.retireKey({ version: 'v9' }), grpc.status.NOT_FOUND);

    await keys.retireKey({ version: 'v1' });
    await keys.retireKey({ version: 'v2' });

    expect(await listed(keys)).toEqual({ 'v3*': secretValues });
    expect(readFileSync(ringPath, 'utf8')).toMatch(/^# e2e key ring\nv3:\S+\nprimary=v3\n$/);
    const { result } = await api.datastores.testDatastore({ id: datastoreId });
    expect(result?.ok).toBe(true);
  });
});
