import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoError, CryptoErrorCode } from './errors';
import { parseKeyRing } from './key-ring';
import {
  KEY_RING_FILE_HEADER,
  KeyRingStore,
  insertEntry,
  withPrimary,
  withoutEntry,
  writeFileAtomically,
} from './key-ring-store';
import { SecretCipher, type CipherContext } from './secret-cipher';

const newKey = () => randomBytes(32).toString('base64');
const entry = (version: string, key = newKey()) => `${version}:${key}`;
const context: CipherContext = { table: 'connection', rowId: '6f1c7c1e-3c1a-4d55-9a43-0c6f5a8f2b10', column: 'secret_properties' };

function caught(fn: () => unknown): CryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return error as CryptoError;
  }
  throw new Error('expected a CryptoError');
}

describe(KeyRingStore.name, () => {
  let dir: string;
  let path: string;
  let counter = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plumbline-keyring-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh ring file in its own directory (so leftover temp files are visible). */
  function ringFile(text: string): string {
    const own = join(dir, `ring-${++counter}`);
    mkdirSync(own);
    path = join(own, 'keyring');
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  }

  describe('with a ring from PLUMBLINE_KEYRING', () => {
    const sut = KeyRingStore.fromEnv({ PLUMBLINE_KEYRING: `${entry('v1')},${entry('v2')}`, PLUMBLINE_PRIMARY_KEY: 'v1' });

    it('serves the ring and has no file', () => {
      expect(sut.filePath).toBeUndefined();
      expect(sut.current().primaryVersion).toBe('v1');
      expect(sut.reload()).toBe(sut.current());
    });

    it.each([
      ['addVersion', () => sut.addVersion('v3')],
      ['setPrimary', () => sut.setPrimary('v2')],
      ['removeVersion', () => sut.removeVersion('v2')],
    ])('refuses %s with KEYRING_NOT_FILE', (_, operation) => {
      const error = caught(operation);
      expect(error.code).toBe(CryptoErrorCode.KEYRING_NOT_FILE);
      expect(error.message).toContain('PLUMBLINE_KEYRING_FILE');
      expect(sut.current().versions).toEqual(['v1', 'v2']);
      expect(sut.current().primaryVersion).toBe('v1');
    });
  });

  describe('with a ring file', () => {
    it('adds a version with a fresh 32-byte key, atomically, keeping comments and pinning the primary', () => {
      const original = `# ops: rotated by hand in 2024\n${entry('v1')}\n\n# keep this note\n`;
      const sut = KeyRingStore.fromFile(ringFile(original));
      const inodeBefore = statSync(path).ino;

      expect(sut.addVersion('v2')).toBe('v2');

      const text = readFileSync(path, 'utf8');
      const v2 = /^v2:[A-Za-z0-9+/]{43}=$/m.exec(text)?.[0];
      expect(text).toBe(original.replace('\n\n#', `\n${v2}\n\n#`) + 'primary=v1\n');
      expect(Buffer.from(/v2:(\S+)/.exec(text)?.[1] ?? '', 'base64')).toHaveLength(32);
      // Renamed into place (new inode), owner-only, and no temp file left behind.
      expect(statSync(path).ino).not.toBe(inodeBefore);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(path, '..'))).toEqual(['keyring']);
      // Appending an entry did not move the primary, in memory or on disk.
      expect(sut.current().versions).toEqual(['v1', 'v2']);
      expect(sut.current().primaryVersion).toBe('v1');
      expect(parseKeyRing(text).primaryVersion).toBe('v1');
    });

    it('adds a header comment to a file that has none', () => {
      const sut = KeyRingStore.fromFile(ringFile(`${entry('v1')}\n`));
      sut.addVersion('v2', { primary: true });
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith(`${KEY_RING_FILE_HEADER}\nv1:`)).toBe(true);
      expect(text.endsWith('primary=v2\n')).toBe(true);
      expect(sut.current().primaryVersion).toBe('v2');
    });

    it('generates a version name ("k" + UTC timestamp) when none is given, unique within a second', () => {
      const sut = KeyRingStore.fromFile(ringFile(`${entry('v1')}\n`));
      const first = sut.addVersion();
      const second = sut.addVersion(undefined, { primary: true });
      expect(first).toMatch(/^k\d{14}$/);
      expect(second).toMatch(/^k\d{14}[a-z]?$/);
      expect(second).not.toBe(first);
      expect(sut.current().versions).toEqual(['v1', first, second]);
      expect(sut.current().primaryVersion).toBe(second);
    });

    it('makes the cipher seal new values with the new primary at once, and still open old ones', () => {
      const sut = KeyRingStore.fromFile(ringFile(`${entry('v1')}\n`));
      const cipher = new SecretCipher(sut);
      const old = cipher.encrypt('secret', context);
      sut.addVersion('v2', { primary: true });
      expect(cipher.primaryKeyVersion).toBe('v2');
      const fresh = cipher.encrypt('secret', context);
      expect(cipher.keyVersionOf(fresh)).toBe('v2');
      expect(cipher.needsReEncryption(old)).toBe(true);
      expect(cipher.decrypt(old, context)).toBe('secret');
      expect(cipher.keyVersionOf(cipher.reEncrypt(old, context))).toBe('v2');
    });

    it('promotes and removes versions, also inside comma-separated lines', () => {
      const sut = KeyRingStore.fromFile(ringFile(`# mine\n${entry('v1')}, ${entry('v2')} ,${entry('v3')}\n`));
      expect(sut.current().primaryVersion).toBe('v3');
      sut.setPrimary('v2');
      sut.removeVersion('v1');
      sut.removeVersion('v3');
      const text = readFileSync(path, 'utf8');
      expect(text).toMatch(/^# mine\n {1}v2:\S+ \nprimary=v2\n$/);
      expect(sut.current().versions).toEqual(['v2']);
      expect(sut.current().primaryVersion).toBe('v2');
    });

    it.each([
      ['adding a version that exists (any case)', (sut: KeyRingStore) => sut.addVersion('V1'), CryptoErrorCode.KEY_VERSION_EXISTS],
      ['adding a malformed version', (sut: KeyRingStore) => sut.addVersion('v-2'), CryptoErrorCode.KEYRING_INVALID],
      ['promoting an unknown version', (sut: KeyRingStore) => sut.setPrimary('v9'), CryptoErrorCode.UNKNOWN_KEY_VERSION],
      ['removing an unknown version', (sut: KeyRingStore) => sut.removeVersion('v9'), CryptoErrorCode.UNKNOWN_KEY_VERSION],
      ['removing the primary', (sut: KeyRingStore) => sut.removeVersion('v2'), CryptoErrorCode.KEY_VERSION_IS_PRIMARY],
    ])('refuses %s and leaves the file alone', (_, operation, code) => {
      const original = `${entry('v1')}\n${entry('v2')}\n`;
      const sut = KeyRingStore.fromFile(ringFile(original));
      expect(caught(() => operation(sut)).code).toBe(code);
      expect(readFileSync(path, 'utf8')).toBe(original);
    });

    it('edits the file as it is on disk, not as it was loaded (another writer may have changed it)', () => {
      const sut = KeyRingStore.fromFile(ringFile(`${entry('v1')}\n`), { checkIntervalMs: 60_000 });
      const other = KeyRingStore.fromFile(path);
      other.addVersion('v2');
      sut.addVersion('v3', { primary: true });
      expect(parseKeyRing(readFileSync(path, 'utf8')).versions).toEqual(['v1', 'v2', 'v3']);
      expect(sut.current().versions).toEqual(['v1', 'v2', 'v3']);
    });

    it('picks up a version added by another writer: on reload, on its next check, and when a ciphertext needs it', () => {
      const file = ringFile(`${entry('v1')}\n`);
      const writer = KeyRingStore.fromFile(file);
      const polling = KeyRingStore.fromFile(file, { checkIntervalMs: 0 });
      const lazy = KeyRingStore.fromFile(file, { checkIntervalMs: 60_000 });
      const stale = KeyRingStore.fromFile(file, { checkIntervalMs: 60_000 });

      writer.addVersion('v2', { primary: true });
      const sealed = new SecretCipher(writer).encrypt('secret', context);

      expect(polling.current().versions).toEqual(['v1', 'v2']);
      expect(polling.current().primaryVersion).toBe('v2');
      expect(lazy.current().versions).toEqual(['v1']); // not checked yet
      expect(lazy.reload().primaryVersion).toBe('v2');
      // An unknown version in a ciphertext makes the cipher re-read the file once.
      expect(new SecretCipher(stale).decrypt(sealed, context)).toBe('secret');
      expect(stale.current().primaryVersion).toBe('v2');
    });

    it('keeps the previous ring when the changed file cannot be loaded, and says so without key material', () => {
      const key = newKey();
      const warnings: string[] = [];
      const sut = KeyRingStore.fromFile(ringFile(`${entry('v1', key)}\n`), { checkIntervalMs: 0, warn: (m) => warnings.push(m) });
      writeFileSync(path, `${entry('v1', key)}\nv2:${key.slice(0, 20)}\n`);
      expect(sut.current().versions).toEqual(['v1']);
      expect(sut.refresh().versions).toEqual(['v1']);
      expect(caught(() => sut.reload()).code).toBe(CryptoErrorCode.KEYRING_INVALID);
      expect(warnings.length).toBeGreaterThanOrEqual(2);
      for (const warning of warnings) {
        expect(warning).toContain('PLUMBLINE_KEYRING_FILE');
        expect(warning).not.toContain(key.slice(0, 12));
      }
    });

    it('warns when PLUMBLINE_PRIMARY_KEY is overruled by the file\'s primary= line', () => {
      const warnings: string[] = [];
      const file = ringFile(`${entry('v1')}\n${entry('v2')}\nprimary=v2\n`);
      const sut = KeyRingStore.fromEnv(
        { PLUMBLINE_KEYRING_FILE: file, PLUMBLINE_PRIMARY_KEY: 'v1' },
        { warn: (m) => warnings.push(m) },
      );
      expect(sut.current().primaryVersion).toBe('v2');
      expect(warnings).toEqual([expect.stringContaining('PLUMBLINE_PRIMARY_KEY=v1 is ignored')]);
    });

    it('keeps a symlinked ring file a symlink', () => {
      const target = ringFile(`${entry('v1')}\n`);
      const link = join(dir, `link-${counter}`);
      symlinkSync(target, link);
      const sut = KeyRingStore.fromFile(link);
      sut.addVersion('v2');
      expect(readFileSync(target, 'utf8')).toContain('\nv2:');
      expect(statSync(link).ino).toBe(statSync(target).ino);
    });
  });

  describe(writeFileAtomically.name, () => {
    it('answers KEYRING_FILE_UNWRITABLE and leaves no temp file when the rename fails', () => {
      const own = join(dir, `unwritable-${++counter}`);
      mkdirSync(join(own, 'keyring'), { recursive: true });
      writeFileSync(join(own, 'keyring', 'occupant'), 'x');
      const error = caught(() => writeFileAtomically(join(own, 'keyring'), 'v1:abc\n'));
      expect(error.code).toBe(CryptoErrorCode.KEYRING_FILE_UNWRITABLE);
      expect(readdirSync(own)).toEqual(['keyring']);
    });
  });

  describe('text edits', () => {
    it('inserts a new entry after the last entry, before a trailing primary= line', () => {
      expect(insertEntry('# c\nv1:a\nprimary=v1\n', 'v2:b')).toBe('# c\nv1:a\nv2:b\nprimary=v1\n');
      expect(insertEntry('# only a comment\n', 'v1:a')).toBe('# only a comment\nv1:a\n');
    });

    it('replaces an existing primary= directive in place', () => {
      expect(withPrimary('# c\nprimary = v1\nv1:a\n', 'v2')).toBe('# c\nprimary=v2\nv1:a\n');
      expect(withPrimary('v1:a\r\n', 'v1')).toBe('v1:a\r\nprimary=v1\r\n');
    });

    it('removes only the exact version', () => {
      expect(withoutEntry('v1:a\nv10:b\nV1:c\n', 'v1')).toBe('v10:b\nV1:c\n');
    });
  });
});
