import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CryptoError, CryptoErrorCode } from './errors';
import { KeyRing, keyRingFromEnv, parseKeyRing } from './key-ring';

const newKey = (bytes = 32) => randomBytes(bytes).toString('base64');
const entry = (version: string, key = newKey()) => `${version}:${key}`;

function caught(fn: () => unknown): CryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return error as CryptoError;
  }
  throw new Error('expected a CryptoError');
}

describe(KeyRing.name, () => {
  describe(parseKeyRing.name, () => {
    it('reads versions in order and makes the last one primary by default', () => {
      const sut = parseKeyRing(`${entry('v1')},${entry('k2024')}`);
      expect(sut.versions).toEqual(['v1', 'k2024']);
      expect(sut.primaryVersion).toBe('k2024');
    });

    it('honours an explicit primary version', () => {
      expect(parseKeyRing(`${entry('v1')},${entry('v2')}`, 'v1').primaryVersion).toBe('v1');
    });

    it('accepts newlines, blank lines, spaces and # comments (key files)', () => {
      const sut = parseKeyRing(`# rotated 2024-06\n${entry('v1')}\r\n\n  ${entry('v2')} ,\n`);
      expect(sut.versions).toEqual(['v1', 'v2']);
    });

    it.each([
      ['an empty ring', ' , \n', 'holds no keys'],
      ['an entry without a colon', newKey(), 'expected "version:base64key"'],
      ['a bad version id', entry('v-1'), 'key version must be'],
      ['a version longer than 16 characters', entry('a'.repeat(17)), 'key version must be'],
      ['a key that is not base64', 'v1:not*base64!', 'not valid base64'],
      ['a key with junk after the padding', `v1:${newKey()}AA`, 'not valid base64'],
      ['a 16-byte key', entry('v1', newKey(16)), 'exactly 32 bytes, got 16'],
      ['a 33-byte key', entry('v1', newKey(33)), 'exactly 32 bytes, got 33'],
      ['a duplicate version', `${entry('v1')},${entry('V1')}`, 'listed twice'],
    ])('rejects %s with KEYRING_INVALID', (_, text, message) => {
      const error = caught(() => parseKeyRing(text, undefined, 'PLUMBLINE_KEYRING'));
      expect(error.code).toBe(CryptoErrorCode.KEYRING_INVALID);
      expect(error.message).toContain('PLUMBLINE_KEYRING');
      expect(error.message).toContain(message);
    });

    it('rejects one key reused under two versions', () => {
      const key = newKey();
      const error = caught(() => parseKeyRing(`${entry('v1', key)},${entry('v2', key)}`));
      expect(error.code).toBe(CryptoErrorCode.KEYRING_INVALID);
      expect(error.message).toContain('same as entry 1');
    });

    it('rejects a primary version that is not in the ring', () => {
      const error = caught(() => parseKeyRing(entry('v1'), 'v9'));
      expect(error.code).toBe(CryptoErrorCode.PRIMARY_KEY_UNKNOWN);
      expect(error.message).toContain('"v9"');
      expect(error.message).toContain('known versions: v1');
    });

    describe('the primary= line', () => {
      it('names the primary, wherever it stands, and does not count as an entry', () => {
        const sut = parseKeyRing(`# ring\nprimary=v1\n${entry('v1')}\n${entry('v2')}\n`);
        expect(sut.versions).toEqual(['v1', 'v2']);
        expect(sut.primaryVersion).toBe('v1');
        expect(parseKeyRing(`${entry('v1')}, PRIMARY = v1 ,${entry('v2')}`).primaryVersion).toBe('v1');
      });

      it('wins over the default primary (PLUMBLINE_PRIMARY_KEY), which applies only without it', () => {
        const text = `${entry('v1')}\n${entry('v2')}\n${entry('v3')}`;
        expect(parseKeyRing(`${text}\nprimary=v3`, 'v1').primaryVersion).toBe('v3');
        expect(parseKeyRing(text, 'v1').primaryVersion).toBe('v1');
      });

      it.each([
        ['given twice', `${entry('v1')}\nprimary=v1\nprimary=v1`, 'more than once'],
        ['empty', `${entry('v1')}\nprimary=`, 'must name a key version'],
        ['a bad version id', `${entry('v1')}\nprimary=v-1`, 'must name a key version'],
      ])('rejects a primary= line %s with KEYRING_INVALID', (_, text, message) => {
        const error = caught(() => parseKeyRing(text, undefined, 'PLUMBLINE_KEYRING_FILE'));
        expect(error.code).toBe(CryptoErrorCode.KEYRING_INVALID);
        expect(error.message).toContain('PLUMBLINE_KEYRING_FILE');
        expect(error.message).toContain(message);
      });

      it('answers PRIMARY_KEY_UNKNOWN when it names a version not in the ring, even with a valid default', () => {
        expect(caught(() => parseKeyRing(`${entry('v1')}\nprimary=v9`, 'v1')).code).toBe(CryptoErrorCode.PRIMARY_KEY_UNKNOWN);
      });
    });

    it('never puts key material in an error message', () => {
      const key16 = newKey(16);
      const key32 = newKey();
      const texts = [key32, `v-1:${key32}`, `v1:${key16}`, `v1:${key32}x`, `${key32}:v1`, `${entry('v1', key32)},v2:${key32}`];
      for (const text of texts) {
        const error = caught(() => parseKeyRing(text));
        expect(error.message).not.toContain(key32);
        expect(error.message).not.toContain(key32.slice(0, 12));
        expect(error.message).not.toContain(key16.slice(0, 12));
      }
    });
  });

  it('does not reveal keys through inspect or JSON', () => {
    const key = newKey();
    const sut = parseKeyRing(entry('v1', key));
    const hex = Buffer.from(key, 'base64').toString('hex');
    for (const shown of [inspect(sut, { showHidden: true, depth: 10 }), JSON.stringify(sut), String(sut)]) {
      expect(shown).not.toContain(key);
      expect(shown).not.toContain(hex);
    }
    expect(JSON.parse(JSON.stringify(sut))).toEqual({ primaryVersion: 'v1', versions: ['v1'] });
  });

  it('answers UNKNOWN_KEY_VERSION for a version it does not hold', () => {
    const sut = parseKeyRing(entry('v1'));
    expect(sut.has('v1')).toBe(true);
    expect(sut.has('v2')).toBe(false);
    expect(caught(() => sut.key('v2')).code).toBe(CryptoErrorCode.UNKNOWN_KEY_VERSION);
  });

  describe(keyRingFromEnv.name, () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'plumbline-keyring-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads PLUMBLINE_KEYRING and PLUMBLINE_PRIMARY_KEY', () => {
      const sut = keyRingFromEnv({ PLUMBLINE_KEYRING: `${entry('v1')},${entry('v2')}`, PLUMBLINE_PRIMARY_KEY: 'v1' });
      expect(sut.versions).toEqual(['v1', 'v2']);
      expect(sut.primaryVersion).toBe('v1');
    });

    it('reads PLUMBLINE_KEYRING_FILE', () => {
      const path = join(dir, 'keyring');
      writeFileSync(path, `${entry('v1')}\n${entry('v2')}\n`, { mode: 0o600 });
      const sut = keyRingFromEnv({ PLUMBLINE_KEYRING_FILE: path });
      expect(sut.versions).toEqual(['v1', 'v2']);
      expect(sut.primaryVersion).toBe('v2');
    });

    it('lets the file\'s primary= line win over PLUMBLINE_PRIMARY_KEY, which applies when the file has none', () => {
      const path = join(dir, 'with-primary');
      writeFileSync(path, `${entry('v1')}\n${entry('v2')}\nprimary=v2\n`, { mode: 0o600 });
      expect(keyRingFromEnv({ PLUMBLINE_KEYRING_FILE: path, PLUMBLINE_PRIMARY_KEY: 'v1' }).primaryVersion).toBe('v2');
      const plain = join(dir, 'without-primary');
      writeFileSync(plain, `${entry('v1')}\n${entry('v2')}\n`, { mode: 0o600 });
      expect(keyRingFromEnv({ PLUMBLINE_KEYRING_FILE: plain, PLUMBLINE_PRIMARY_KEY: 'v1' }).primaryVersion).toBe('v1');
    });

    it.each([{}, { PLUMBLINE_KEYRING: '' }, { PLUMBLINE_KEYRING: '  ', PLUMBLINE_KEYRING_FILE: '' }])(
      'answers KEYRING_MISSING when nothing is configured (%j)',
      (env) => {
        expect(caught(() => keyRingFromEnv(env)).code).toBe(CryptoErrorCode.KEYRING_MISSING);
      },
    );

    it('refuses both sources at once', () => {
      const error = caught(() => keyRingFromEnv({ PLUMBLINE_KEYRING: entry('v1'), PLUMBLINE_KEYRING_FILE: '/x' }));
      expect(error.code).toBe(CryptoErrorCode.KEYRING_INVALID);
    });

    it('answers KEYRING_FILE_UNREADABLE for a missing file', () => {
      const error = caught(() => keyRingFromEnv({ PLUMBLINE_KEYRING_FILE: join(dir, 'absent') }));
      expect(error.code).toBe(CryptoErrorCode.KEYRING_FILE_UNREADABLE);
      expect(error.message).toContain('ENOENT');
    });

    it('names the file source in a parse error without echoing the file', () => {
      const key = newKey(16);
      const path = join(dir, 'short');
      writeFileSync(path, entry('v1', key));
      const error = caught(() => keyRingFromEnv({ PLUMBLINE_KEYRING_FILE: path }));
      expect(error.code).toBe(CryptoErrorCode.KEYRING_INVALID);
      expect(error.message).toContain('PLUMBLINE_KEYRING_FILE entry 1 (version "v1")');
      expect(error.message).not.toContain(key);
    });
  });
});
