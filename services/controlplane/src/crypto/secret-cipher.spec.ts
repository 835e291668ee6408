import { randomBytes } from 'node:crypto';
import { CryptoError, CryptoErrorCode } from './errors';
import { parseKeyRing } from './key-ring';
import { SecretCipher, type CipherContext } from './secret-cipher';

const newKey = () => randomBytes(32).toString('base64');
const ringText = (...versions: string[]) => versions.map((version) => `${version}:${newKey()}`).join(',');
const cipherWith = (text: string, primary?: string) => new SecretCipher(parseKeyRing(text, primary));
const contextFactory = (overrides: Partial<CipherContext> = {}): CipherContext => ({
  table: 'connection',
  rowId: '6f1c7c1e-3c1a-4d55-9a43-0c6f5a8f2b10',
  column: 'secret_properties',
  ...overrides,
});
const PLAINTEXT = '{"password":"correct horse battery staple"}';

function caught(fn: () => unknown): CryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return error as CryptoError;
  }
  throw new Error('expected a CryptoError');
}

/** Rebuilds a ciphertext after changing its decoded payload. */
function withPayload(ciphertext: string, change: (payload: Buffer) => Buffer): string {
  const [format, version, encoded] = ciphertext.split('.') as [string, string, string];
  return `${format}.${version}.${change(Buffer.from(encoded, 'base64')).toString('base64')}`;
}

describe(SecretCipher.name, () => {
  const keyring = ringText('v1');
  let sut: SecretCipher;
  beforeEach(() => {
    sut = cipherWith(keyring);
  });

  it('round-trips text, including empty and non-ASCII text', () => {
    for (const plaintext of [PLAINTEXT, '', 'pässwörd 🔑', 'x'.repeat(100_000)]) {
      const ciphertext = sut.encrypt(plaintext, contextFactory());
      expect(sut.decrypt(ciphertext, contextFactory())).toBe(plaintext);
    }
  });

  it('writes plb1.<version>.<base64 of nonce || ciphertext || tag>', () => {
    const ciphertext = sut.encrypt('abc', contextFactory());
    expect(ciphertext).toMatch(/^plb1\.v1\.[A-Za-z0-9+/]+={0,2}$/);
    const payload = Buffer.from(ciphertext.split('.')[2] ?? '', 'base64');
    expect(payload).toHaveLength(12 + 3 + 16);
    expect(ciphertext).not.toContain('abc');
  });

  it('uses a fresh random nonce: equal plaintexts give different ciphertexts', () => {
    const ciphertexts = new Set(Array.from({ length: 50 }, () => sut.encrypt(PLAINTEXT, contextFactory())));
    expect(ciphertexts.size).toBe(50);
    const nonces = new Set([...ciphertexts].map((c) => Buffer.from(c.split('.')[2] ?? '', 'base64').subarray(0, 12).toString('hex')));
    expect(nonces.size).toBe(50);
  });

  it('fails with DECRYPTION_FAILED when any single bit of nonce, ciphertext or tag flips', () => {
    const ciphertext = sut.encrypt('short secret', contextFactory());
    const length = Buffer.from(ciphertext.split('.')[2] ?? '', 'base64').length;
    let flips = 0;
    for (let byte = 0; byte < length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = withPayload(ciphertext, (payload) => {
          const copy = Buffer.from(payload);
          copy[byte] = (copy[byte] ?? 0) ^ (1 << bit);
          return copy;
        });
        expect(caught(() => sut.decrypt(tampered, contextFactory())).code).toBe(CryptoErrorCode.DECRYPTION_FAILED);
        flips++;
      }
    }
    expect(flips).toBe((12 + 12 + 16) * 8);
  });

  it.each([
    ['truncated tag', (p: Buffer) => p.subarray(0, p.length - 1)],
    ['an appended byte', (p: Buffer) => Buffer.concat([p, Buffer.from([0])])],
    ['a dropped ciphertext byte', (p: Buffer) => Buffer.concat([p.subarray(0, 12), p.subarray(13)])],
  ])('fails with DECRYPTION_FAILED for %s', (_, change) => {
    const tampered = withPayload(sut.encrypt(PLAINTEXT, contextFactory()), change);
    expect(caught(() => sut.decrypt(tampered, contextFactory())).code).toBe(CryptoErrorCode.DECRYPTION_FAILED);
  });

  it.each([
    ['another row', { rowId: '0b0e8a8e-2f5e-4a8e-9c55-8d1a4d2f0e77' }],
    ['another column', { column: 'token' }],
    ['another table', { table: 'secrets_manager' }],
    ['a shifted boundary between fields', { table: 'connection6f1c', rowId: '7c1e-3c1a-4d55-9a43-0c6f5a8f2b10' }],
  ])('refuses a ciphertext moved to %s', (_, overrides) => {
    const ciphertext = sut.encrypt(PLAINTEXT, contextFactory());
    const error = caught(() => sut.decrypt(ciphertext, contextFactory(overrides)));
    expect(error.code).toBe(CryptoErrorCode.DECRYPTION_FAILED);
  });

  it('refuses a ciphertext relabelled with another key version holding the same key', () => {
    const key = newKey();
    const two = cipherWith(`v1:${key}`);
    const relabelled = two.encrypt(PLAINTEXT, contextFactory()).replace(/^plb1\.v1\./, 'plb1.v2.');
    const other = cipherWith(`v2:${key}`);
    expect(caught(() => other.decrypt(relabelled, contextFactory())).code).toBe(CryptoErrorCode.DECRYPTION_FAILED);
  });

  it('answers UNKNOWN_KEY_VERSION for a key the ring does not hold', () => {
    const ciphertext = cipherWith(ringText('old')).encrypt(PLAINTEXT, contextFactory());
    const error = caught(() => sut.decrypt(ciphertext, contextFactory()));
    expect(error.code).toBe(CryptoErrorCode.UNKNOWN_KEY_VERSION);
    expect(error.message).toContain('"old"');
  });

  it('fails with DECRYPTION_FAILED under a different key of the same version', () => {
    const ciphertext = cipherWith(ringText('v1')).encrypt(PLAINTEXT, contextFactory());
    expect(caught(() => sut.decrypt(ciphertext, contextFactory())).code).toBe(CryptoErrorCode.DECRYPTION_FAILED);
  });

  it.each(['', 'plaintext', 'plb2.v1.AAAA', 'plb1.v1', 'plb1.v-1.AAAA', 'plb1.v1.not*base64', 'plb1.v1.AAAA', 'plb1.v1.AAAA.x'])(
    'answers MALFORMED_CIPHERTEXT for %j',
    (value) => {
      expect(caught(() => sut.decrypt(value, contextFactory())).code).toBe(CryptoErrorCode.MALFORMED_CIPHERTEXT);
      expect(caught(() => sut.keyVersionOf(value)).code).toBe(CryptoErrorCode.MALFORMED_CIPHERTEXT);
    },
  );

  it.each([{ table: '' }, { rowId: '' }, { column: '' }, { rowId: 'a\uD800b' }])('refuses the context %j', (overrides) => {
    expect(caught(() => sut.encrypt(PLAINTEXT, contextFactory(overrides))).code).toBe(CryptoErrorCode.INVALID_CONTEXT);
  });

  describe('with two key versions', () => {
    const oldRing = ringText('v1');
    const rotated = `${oldRing},${ringText('v2')}`;

    it('still decrypts values sealed with the old key and seals new ones with the primary', () => {
      const before = cipherWith(oldRing).encrypt(PLAINTEXT, contextFactory());
      const after = cipherWith(rotated);
      expect(after.primaryKeyVersion).toBe('v2');
      expect(after.decrypt(before, contextFactory())).toBe(PLAINTEXT);
      const fresh = after.encrypt(PLAINTEXT, contextFactory());
      expect(after.keyVersionOf(fresh)).toBe('v2');
      expect(after.decrypt(fresh, contextFactory())).toBe(PLAINTEXT);
    });

    it('reports which values need re-encryption and re-encrypts them under the primary', () => {
      const old = cipherWith(oldRing).encrypt(PLAINTEXT, contextFactory());
      const after = cipherWith(rotated);
      expect(after.keyVersionOf(old)).toBe('v1');
      expect(after.needsReEncryption(old)).toBe(true);

      const renewed = after.reEncrypt(old, contextFactory());
      expect(after.keyVersionOf(renewed)).toBe('v2');
      expect(after.needsReEncryption(renewed)).toBe(false);
      expect(after.decrypt(renewed, contextFactory())).toBe(PLAINTEXT);
      expect(after.reEncrypt(renewed, contextFactory())).toBe(renewed);
      // Once every row is re-encrypted the old key can go.
      expect(cipherWith(rotated.split(',')[1] ?? '').decrypt(renewed, contextFactory())).toBe(PLAINTEXT);
    });

    it('can keep the old key primary while a new one is being rolled out', () => {
      const sutOldPrimary = cipherWith(rotated, 'v1');
      expect(sutOldPrimary.keyVersionOf(sutOldPrimary.encrypt(PLAINTEXT, contextFactory()))).toBe('v1');
    });

    it('re-encryption still checks the binding', () => {
      const old = cipherWith(oldRing).encrypt(PLAINTEXT, contextFactory());
      const after = cipherWith(rotated);
      expect(caught(() => after.reEncrypt(old, contextFactory({ rowId: 'other' }))).code).toBe(
        CryptoErrorCode.DECRYPTION_FAILED,
      );
    });
  });

  it('never puts the plaintext, the key or the ciphertext in an error message', () => {
    const key = newKey();
    const cipher = cipherWith(`v1:${key}`);
    const ciphertext = cipher.encrypt(PLAINTEXT, contextFactory());
    const errors = [
      caught(() => cipher.decrypt(ciphertext, contextFactory({ column: 'other' }))),
      caught(() => cipher.decrypt(withPayload(ciphertext, (p) => p.subarray(0, 30)), contextFactory())),
      caught(() => cipherWith(ringText('v2')).decrypt(ciphertext, contextFactory())),
      caught(() => cipher.decrypt(`${ciphertext}x`, contextFactory())),
    ];
    const payload = ciphertext.split('.')[2] ?? '';
    for (const error of errors) {
      for (const text of [error.message, String(error.stack)]) {
        expect(text).not.toContain('correct horse');
        expect(text).not.toContain(key);
        expect(text).not.toContain(payload.slice(0, 16));
      }
    }
  });
});
