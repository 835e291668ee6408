import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CryptoError, CryptoErrorCode } from './errors';
import { KEY_VERSION_PATTERN, KeyRing } from './key-ring';

/**
 * Where a cipher gets its keys: `current()` on every call, so a rotation that
 * swaps the ring takes effect without a restart. `refresh()`, when present, is
 * called once when a ciphertext names a version the current ring lacks (another
 * controlplane may have added it) and returns the ring to retry with.
 */
export interface KeyRingSource {
  current(): KeyRing;
  refresh?(): KeyRing;
}

/** Where a ciphertext lives; it only decrypts there. None of these are secret. */
export interface CipherContext {
  table: string;
  rowId: string;
  column: string;
}

/** Format marker of the ciphertext layout below; a new layout gets a new marker. */
export const CIPHERTEXT_FORMAT = 'plb1';
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** First field of the associated data: keeps these tags apart from any other use of the keys. */
const AAD_DOMAIN = 'plumbline/secret-cipher';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Lone UTF-16 surrogates: UTF-8 encoding would turn distinct strings into the same bytes. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * AES-256-GCM for secret-bearing columns.
 *
 * Ciphertext text form (ASCII, safe in a `text` column):
 *
 *     plb1.<keyVersion>.<base64( nonce[12] || ciphertext || tag[16] )>
 *
 * - `plb1`: format marker; `keyVersion`: the key ring version that sealed it.
 * - nonce: 12 random bytes per encryption, so equal plaintexts never repeat.
 * - associated data: length-prefixed fields (4-byte big-endian UTF-8 byte length,
 *   then the bytes) of [`plumbline/secret-cipher`, `plb1`, keyVersion, table,
 *   rowId, column]. A ciphertext copied to another table, row or column, or
 *   relabelled with another version, fails authentication.
 */
export class SecretCipher {
  private readonly keys: KeyRingSource;

  /** A fixed ring, or a source whose current ring is read on every call (`KeyRingStore`). */
  constructor(keys: KeyRing | KeyRingSource) {
    this.keys = keys instanceof KeyRing ? { current: () => keys } : keys;
  }

  /** The version new encryptions use. */
  get primaryKeyVersion(): string {
    return this.keys.current().primaryVersion;
  }

  encrypt(plaintext: string, context: CipherContext): string {
    const ring = this.keys.current();
    const version = ring.primaryVersion;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, ring.key(version), nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(version, context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const payload = Buffer.concat([nonce, sealed, cipher.getAuthTag()]);
    return `${CIPHERTEXT_FORMAT}.${version}.${payload.toString('base64')}`;
  }

  decrypt(ciphertext: string, context: CipherContext): string {
    const { version, payload } = parse(ciphertext);
    let ring = this.keys.current();
    if (!ring.has(version) && this.keys.refresh) ring = this.keys.refresh();
    const key = ring.key(version);
    const aad = associatedData(version, context);
    const nonce = payload.subarray(0, NONCE_BYTES);
    const sealed = payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES);
    const tag = payload.subarray(payload.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    } catch {
      throw new CryptoError(
        CryptoErrorCode.DECRYPTION_FAILED,
        `cannot decrypt ${describe(context)} with key version "${version}": the value was altered or belongs to another table, row or column`,
      );
    }
  }

  /** The key version a ciphertext was sealed with (no key needed). */
  keyVersionOf(ciphertext: string): string {
    return parse(ciphertext).version;
  }

  /** True when the value was sealed with a key other than the primary: rotation should rewrite it. */
  needsReEncryption(ciphertext: string): boolean {
    return this.keyVersionOf(ciphertext) !== this.keys.current().primaryVersion;
  }

  /**
   * Re-seals a value under the primary key (same context). Returns the input
   * unchanged when it already uses the primary key, so a rotation pass is idempotent.
   */
  reEncrypt(ciphertext: string, context: CipherContext): string {
    if (!this.needsReEncryption(ciphertext)) {
      this.decrypt(ciphertext, context); // still prove it belongs here
      return ciphertext;
    }
    return this.encrypt(this.decrypt(ciphertext, context), context);
  }
}

function parse(ciphertext: string): { version: string; payload: Buffer } {
  const malformed = (why: string) =>
    new CryptoError(CryptoErrorCode.MALFORMED_CIPHERTEXT, `not a ${CIPHERTEXT_FORMAT} ciphertext: ${why}`);
  const parts = ciphertext.split('.');
  if (parts.length !== 3) throw malformed('expected "<format>.<keyVersion>.<base64>"');
  const [format, version, encoded] = parts as [string, string, string];
  if (format !== CIPHERTEXT_FORMAT) throw malformed('unknown format marker');
  if (!KEY_VERSION_PATTERN.test(version)) throw malformed('bad key version');
  const payload = Buffer.from(encoded, 'base64');
  if (!BASE64.test(encoded) || payload.toString('base64') !== encoded) throw malformed('bad base64');
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw malformed('too short');
  return { version, payload };
}

function associatedData(version: string, context: CipherContext): Buffer {
  const fields = [AAD_DOMAIN, CIPHERTEXT_FORMAT, version, context.table, context.rowId, context.column];
  for (const [name, value] of [
    ['table', context.table],
    ['rowId', context.rowId],
    ['column', context.column],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || LONE_SURROGATE.test(value)) {
      throw new CryptoError(CryptoErrorCode.INVALID_CONTEXT, `the cipher context's ${name} must be non-empty text`);
    }
  }
  return Buffer.concat(
    fields.flatMap((field) => {
      const bytes = Buffer.from(field, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

function describe(context: CipherContext): string {
  return `${context.table}.${context.column} of row ${JSON.stringify(context.rowId)}`;
}
