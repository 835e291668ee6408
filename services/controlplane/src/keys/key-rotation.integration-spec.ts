import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { createPostgresDatabase, type TestDatabase } from '@plumbline/testing';
import { KeyRingStore, SecretCipher, parseKeyRing, type CipherContext } from '../crypto';
import { dataSourceOptions } from '../database/data-source';
import { UnitOfWork } from '../database/unit-of-work';
import { KeyError, KeyErrorCode } from './key.errors';
import { KeyRotationService, MAX_BATCH_SIZE, type RotationProgress } from './key-rotation.service';
import { KeysRepository } from './keys.repository';

jest.setTimeout(60_000);

const CONNECTIONS = 300;
const SECRETS_MANAGERS = 150;
/** Every fifth connection has no secret properties (NULL): nothing to rotate there. */
const hasSecret = (index: number) => index % 5 !== 0;

interface Row {
  table: 'connection' | 'secrets_manager';
  id: string;
}
const columnOf = (table: Row['table']) => (table === 'connection' ? 'secret_properties' : 'credentials_payload');
const contextOf = (row: Row): CipherContext => ({ table: row.table, rowId: row.id, column: columnOf(row.table) });
const key = (row: Row) => `${row.table}/${row.id}`;

async function drain(progress: AsyncIterable<RotationProgress>): Promise<RotationProgress[]> {
  const messages: RotationProgress[] = [];
  for await (const message of progress) messages.push(message);
  return messages;
}

async function rejection(promise: Promise<unknown>): Promise<KeyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError);
    return error as KeyError;
  }
  throw new Error('expected a KeyError');
}

/** One controlplane's worth of key administration on `url` (its own pool, so its own sessions). */
async function controlplaneOn(url: string, store: KeyRingStore) {
  const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  const unitOfWork = new UnitOfWork(dataSource);
  const cipher = new SecretCipher(store);
  const sut = new KeyRotationService(store, cipher, new KeysRepository(unitOfWork), unitOfWork, pino({ level: 'silent' }));
  return { dataSource, cipher, sut };
}

describe(KeyRotationService.name, () => {
  let database: TestDatabase;
  let dir: string;
  let ringPath: string;
  let store: KeyRingStore;
  let cipher: SecretCipher;
  let dataSource: DataSource;
  let sut: KeyRotationService;
  /** A controlplane that still runs with the original ring (v1 only, v1 primary): it has not reloaded yet. */
  let staleCipher: SecretCipher;
  /** What each row must decrypt to. */
  const expected = new Map<string, string>();
  const rows: Row[] = [];

  async function write(row: Row, plaintext: string, with_ = cipher, client?: Client): Promise<void> {
    const sql = `UPDATE "${row.table}" SET "${columnOf(row.table)}" = $2 WHERE id = $1`;
    const params = [row.id, with_.encrypt(plaintext, contextOf(row))];
    if (client) await client.query(sql, params);
    else await dataSource.query(sql, params);
    expected.set(key(row), plaintext);
  }

  async function stored(): Promise<Array<Row & { value: string }>> {
    return dataSource.query(`
      SELECT 'connection' AS table, id::text AS id, secret_properties AS value FROM connection WHERE secret_properties IS NOT NULL
      UNION ALL
      SELECT 'secrets_manager', id::text, credentials_payload FROM secrets_manager`);
  }

  /** Every stored value is on `version` and opens (bound to its own row) to what was last written. */
  async function expectAllOn(version: string): Promise<void> {
    const values = await stored();
    expect(values).toHaveLength(expected.size);
    const wrong = values.filter((row) => cipher.keyVersionOf(row.value) !== version).map(key);
    expect(wrong).toEqual([]);
    for (const row of values) expect(cipher.decrypt(row.value, contextOf(row))).toBe(expected.get(key(row)));
  }

  const usage = async () => Object.fromEntries((await sut.list()).map((k) => [k.version, k.ciphertexts]));

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_keys');
    dir = mkdtempSync(join(tmpdir(), 'plumbline-keys-'));
    ringPath = join(dir, 'keyring');
    const v1 = `v1:${randomBytes(32).toString('base64')}`;
    writeFileSync(ringPath, `# test ring\n${v1}\n`, { mode: 0o600 });
    staleCipher = new SecretCipher(parseKeyRing(v1));
    store = KeyRingStore.fromFile(ringPath);
    ({ dataSource, cipher, sut } = await controlplaneOn(database.url, store));
    await dataSource.runMigrations();

    const connections = Array.from({ length: CONNECTIONS }, (_, index) => ({ index, id: randomUUID() }));
    await dataSource.query(
      `INSERT INTO connection (id, name, connector, auth_method, secret_properties, version)
       SELECT id, name, 'postgresql', 'basic', secret, 1 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, name, secret)`,
      [
        connections.map((c) => c.id),
        connections.map((c) => `conn-${c.index}`),
        connections.map((c) => {
          if (!hasSecret(c.index)) return null;
          const row: Row = { table: 'connection', id: c.id };
          const plaintext = JSON.stringify({ password: `pw-${c.index}-${randomBytes(6).toString('hex')}` });
          expected.set(key(row), plaintext);
          rows.push(row);
          return cipher.encrypt(plaintext, contextOf(row));
        }),
      ],
    );
    const managers = Array.from({ length: SECRETS_MANAGERS }, (_, index) => ({ index, id: randomUUID() }));
    await dataSource.query(
      `INSERT INTO secrets_manager (id, name, login_url, credentials_payload, token_path, secret_url, token_header, data_path)
       SELECT id, name, 'https://vault.example/login', payload, '$.auth.client_token', 'https://vault.example/secret',
              'X-Vault-Token', '$.data'
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, name, payload)`,
      [
        managers.map((m) => m.id),
        managers.map((m) => `vault-${m.index}`),
        managers.map((m) => {
          const row: Row = { table: 'secrets_manager', id: m.id };
          const plaintext = JSON.stringify({ username: 'plumbline', password: `sm-${m.index}` });
          expected.set(key(row), plaintext);
          rows.push(row);
          return cipher.encrypt(plaintext, contextOf(row));
        }),
      ],
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every ciphertext per version', async () => {
    expect(await sut.list()).toEqual([{ version: 'v1', primary: true, inRing: true, ciphertexts: expected.size }]);
    await expectAllOn('v1');
  });

  it('rotates to a new version under concurrent writers, skipping locked rows and never overwriting an edit', async () => {
    const writer = new Client({ connectionString: database.url });
    await writer.connect();
    try {
      // A transaction of live traffic holds ten rows for the first part of the rotation.
      const locked = rows.filter((row) => row.table === 'connection').slice(0, 10);
      await writer.query('BEGIN');
      await writer.query(`SELECT id FROM connection WHERE id = ANY($1::uuid[]) FOR UPDATE`, [locked.map((r) => r.id)]);
      const lockedPending = (async () => {
        // Once everything else is on v2 the rotation has passed these rows by; the
        // transaction then writes them with the old primary (a controlplane that has
        // not seen the rotation yet) and commits. The rotation must pick them up.
        for (;;) {
          const [{ n }] = await dataSource.query(
            `SELECT count(*)::int AS n FROM connection WHERE secret_properties NOT LIKE 'plb1.v2.%' AND NOT (id = ANY($1::uuid[]))`,
            [locked.map((r) => r.id)],
          );
          if (n === 0 && store.current().primaryVersion === 'v2') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const [index, row] of locked.entries()) await write(row, `{"password":"held-${index}"}`, staleCipher, writer);
        await writer.query('COMMIT');
      })();

      const edited = rows.filter((row) => row.table === 'secrets_manager').slice(0, 30);
      let edits: Promise<unknown> | undefined;
      const messages: RotationProgress[] = [];
      for await (const message of sut.rotate({ addKeyVersion: true, newVersion: 'v2', batchSize: 25 })) {
        messages.push(message);
        // Edits land between and during batches, sealed with whichever primary the writer sees.
        edits ??= Promise.all(edited.map((row, index) => write(row, `{"password":"edited-${index}"}`)));
      }
      await Promise.all([edits, lockedPending]);

      expect(messages[0]).toMatchObject({ primaryVersion: 'v2', reencrypted: 0, remaining: expected.size, done: false });
      expect(messages.length).toBeGreaterThan(expected.size / 25);
      expect(messages.at(-1)).toMatchObject({ primaryVersion: 'v2', remaining: 0, done: true });
      expect(messages.filter((m) => m.done)).toHaveLength(1);
      await expectAllOn('v2');
      expect(await usage()).toEqual({ v1: 0, v2: expected.size });
      expect(readFileSync(ringPath, 'utf8')).toMatch(/^# test ring\nv1:\S+\nv2:\S+\nprimary=v2\n$/);
    } finally {
      await writer.end();
    }
  });

  it('is idempotent: a second run finds nothing to do and changes nothing', async () => {
    const before = await stored();
    const messages = await drain(sut.rotate());
    expect(messages).toEqual([{ primaryVersion: 'v2', reencrypted: 0, remaining: 0, done: true }]);
    expect(await stored()).toEqual(before);
  });

  it('resumes after a run that died half-way: the next run finishes it', async () => {
    const seen: RotationProgress[] = [];
    for await (const message of sut.rotate({ addKeyVersion: true, newVersion: 'v3', batchSize: 20 })) {
      seen.push(message);
      if (seen.length === 4) break; // the "crash": three batches done, the generator closed mid-run
    }
    const partial = await usage();
    expect(partial.v3).toBe(60);
    expect(partial.v2).toBe(expected.size - 60);

    const messages = await drain(sut.rotate({ batchSize: 50 }));
    expect(messages[0]).toMatchObject({ primaryVersion: 'v3', remaining: expected.size - 60 });
    expect(messages.at(-1)).toMatchObject({ reencrypted: expected.size - 60, remaining: 0, done: true });
    await expectAllOn('v3');
  });

  it('stops at a value it cannot open, naming the row, and leaves it alone', async () => {
    const id = randomUUID();
    const foreign = new SecretCipher(parseKeyRing(`v2:${randomBytes(32).toString('base64')}`));
    const bad = foreign.encrypt('{}', { table: 'secrets_manager', rowId: id, column: 'credentials_payload' });
    await dataSource.query(
      `INSERT INTO secrets_manager (id, name, login_url, credentials_payload, token_path, secret_url, token_header, data_path)
       VALUES ($1, 'foreign', 'https://x/login', $2, '$.t', 'https://x/s', 'X-T', '$.d')`,
      [id, bad],
    );
    try {
      const error = await rejection(drain(sut.rotate()));
      expect(error.code).toBe(KeyErrorCode.CIPHERTEXT_UNREADABLE);
      expect(error.extras).toEqual({ field: 'secrets_manager.credentials_payload', blockingIds: [id] });
      expect(error.message).toContain(id);
      expect(error.message).not.toContain(bad.split('.')[2]?.slice(0, 16));
      const [{ value }] = await dataSource.query(`SELECT credentials_payload AS value FROM secrets_manager WHERE id = $1`, [id]);
      expect(value).toBe(bad);
    } finally {
      await dataSource.query(`DELETE FROM secrets_manager WHERE id = $1`, [id]);
    }
  });

  it('lets one rotation run at a time, across controlplanes: the other gets ROTATION_IN_PROGRESS', async () => {
    const other = await controlplaneOn(database.url, KeyRingStore.fromFile(ringPath));
    try {
      const running = sut.rotate({ addKeyVersion: true, newVersion: 'v4', batchSize: 10 });
      const first = await running.next(); // holds the lock from here until the run ends
      expect(first.value).toMatchObject({ primaryVersion: 'v4' });

      for (const contender of [sut, other.sut]) {
        expect((await rejection(drain(contender.rotate({ batchSize: 10 })))).code).toBe(KeyErrorCode.ROTATION_IN_PROGRESS);
        expect((await rejection(contender.retire('v1'))).code).toBe(KeyErrorCode.ROTATION_IN_PROGRESS);
      }
      // Nothing was added by the refused calls.
      expect(store.reload().versions).toEqual(['v1', 'v2', 'v3', 'v4']);

      const rest = await drain(running);
      expect(rest.at(-1)).toMatchObject({ primaryVersion: 'v4', done: true });
      await expectAllOn('v4');
      // The other controlplane reads the new version without a restart.
      const sample = (await stored())[0]!;
      expect(other.cipher.decrypt(sample.value, contextOf(sample))).toBe(expected.get(key(sample)));
      expect((await drain(other.sut.rotate())).at(-1)).toMatchObject({ primaryVersion: 'v4', done: true });
    } finally {
      await other.dataSource.destroy();
    }
  });

  it('refuses to retire the primary, an unknown version, or a version still in use; then retires', async () => {
    const row = rows[0]!;
    await write(row, '{"password":"back-on-v1"}', staleCipher);
    expect(await usage()).toMatchObject({ v1: 1, v4: expected.size - 1 });

    const inUse = await rejection(sut.retire('v1'));
    expect(inUse).toMatchObject({ code: KeyErrorCode.VERSION_IN_USE, extras: { field: 'version' } });
    expect(inUse.message).toContain('1 stored secret value;');
    expect((await rejection(sut.retire('v4'))).code).toBe(KeyErrorCode.VERSION_IS_PRIMARY);
    expect((await rejection(sut.retire('v9'))).code).toBe(KeyErrorCode.VERSION_UNKNOWN);
    expect((await rejection(sut.retire('v-1'))).code).toBe(KeyErrorCode.INVALID_REQUEST);
    expect(store.current().versions).toEqual(['v1', 'v2', 'v3', 'v4']);

    expect((await drain(sut.rotate())).at(-1)).toMatchObject({ reencrypted: 1, done: true });
    for (const version of ['v1', 'v2', 'v3']) await sut.retire(version);

    expect(store.current().versions).toEqual(['v4']);
    expect(readFileSync(ringPath, 'utf8')).toMatch(/^# test ring\nv4:\S+\nprimary=v4\n$/);
    expect(await sut.list()).toEqual([{ version: 'v4', primary: true, inRing: true, ciphertexts: expected.size }]);
    await expectAllOn('v4');
  });

  it('validates requests', async () => {
    for (const [options, field] of [
      [{ batchSize: MAX_BATCH_SIZE + 1 }, 'batch_size'],
      [{ newVersion: 'v5' }, 'new_version'],
      [{ addKeyVersion: true, newVersion: 'v_5' }, 'new_version'],
    ] as const) {
      const error = await rejection(drain(sut.rotate(options)));
      expect(error).toMatchObject({ code: KeyErrorCode.INVALID_REQUEST, extras: { field } });
    }
    expect((await rejection(drain(sut.rotate({ addKeyVersion: true, newVersion: 'V4' })))).code).toBe(
      KeyErrorCode.VERSION_EXISTS,
    );
  });

  it('administers no versions of a ring given inline (PLUMBLINE_KEYRING), but lists it', async () => {
    const inline = KeyRingStore.fromEnv({ PLUMBLINE_KEYRING: `v9:${randomBytes(32).toString('base64')}` });
    const other = await controlplaneOn(database.url, inline);
    try {
      expect((await rejection(drain(other.sut.rotate({ addKeyVersion: true })))).code).toBe(KeyErrorCode.KEYRING_NOT_FILE);
      expect((await rejection(other.sut.retire('v9'))).code).toBe(KeyErrorCode.KEYRING_NOT_FILE);
      expect(await other.sut.list()).toEqual([
        { version: 'v9', primary: true, inRing: true, ciphertexts: 0 },
        { version: 'v4', primary: false, inRing: false, ciphertexts: expected.size },
      ]);
    } finally {
      await other.dataSource.destroy();
    }
  });
});
