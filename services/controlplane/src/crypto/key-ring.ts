import { createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { CryptoError, CryptoErrorCode } from './errors';

/** A key version id as written in the ring and in every ciphertext. */
export const KEY_VERSION_PATTERN = /^[a-z0-9]{1,16}$/i;
export const KEY_BYTES = 32;

/** Standard base64 with padding: 32 bytes encode to exactly 44 characters. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The AES-256 keys Plumbline may use, by version, plus the primary version that
 * seals new values. Keys are held as KeyObjects in a private field: they do not
 * show up in `console.log`, `util.inspect` or `JSON.stringify` of the ring.
 *
 * A ring is immutable. Rotation (`KeyService`, see keys/) goes through
 * `KeyRingStore`, which rewrites the key ring file and swaps in a new ring: add
 * a version, make it primary, re-encrypt every secret column, retire the old one.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, KeyObject>;

  private constructor(
    keys: ReadonlyMap<string, KeyObject>,
    readonly primaryVersion: string,
  ) {
    this.#keys = keys;
  }

  /**
   * Builds a ring from raw keys. `primaryVersion` defaults to the last entry.
   * Throws KEYRING_INVALID or PRIMARY_KEY_UNKNOWN.
   */
  static fromKeys(
    entries: ReadonlyArray<{ version: string; key: Uint8Array }>,
    primaryVersion?: string,
    source = 'key ring',
  ): KeyRing {
    if (entries.length === 0) {
      throw new CryptoError(CryptoErrorCode.KEYRING_INVALID, `${source} holds no keys`);
    }
    const keys = new Map<string, KeyObject>();
    const seenLower = new Set<string>();
    const raw: Buffer[] = [];
    entries.forEach(({ version, key }, index) => {
      const where = `${source} entry ${index + 1}`;
      if (!KEY_VERSION_PATTERN.test(version)) {
        throw new CryptoError(
          CryptoErrorCode.KEYRING_INVALID,
          `${where}: the key version must be 1-16 letters or digits (e.g. "v1", "k2024")`,
        );
      }
      if (seenLower.has(version.toLowerCase())) {
        throw new CryptoError(CryptoErrorCode.KEYRING_INVALID, `${where}: key version "${version}" is listed twice`);
      }
      if (key.length !== KEY_BYTES) {
        throw new CryptoError(
          CryptoErrorCode.KEYRING_INVALID,
          `${where} (version "${version}"): the key must be exactly ${KEY_BYTES} bytes, got ${key.length}`,
        );
      }
      const bytes = Buffer.from(key);
      const reused = raw.findIndex((other) => timingSafeEqual(other, bytes));
      if (reused >= 0) {
        throw new CryptoError(
          CryptoErrorCode.KEYRING_INVALID,
          `${where} (version "${version}"): the key is the same as entry ${reused + 1}'s; a new version needs a new key`,
        );
      }
      raw.push(bytes);
      seenLower.add(version.toLowerCase());
      keys.set(version, createSecretKey(bytes));
    });
    for (const bytes of raw) bytes.fill(0);

    const primary = primaryVersion ?? entries[entries.length - 1]?.version;
    if (primary === undefined || !keys.has(primary)) {
      const shown = primary !== undefined && KEY_VERSION_PATTERN.test(primary) ? `"${primary}" ` : '';
      throw new CryptoError(
        CryptoErrorCode.PRIMARY_KEY_UNKNOWN,
        `the primary key version ${shown}is not in the ${source}; known versions: ${[...keys.keys()].join(', ')}`,
      );
    }
    return new KeyRing(keys, primary);
  }

  /** Every version in the ring, in configuration order. */
  get versions(): string[] {
    return [...this.#keys.keys()];
  }

  has(version: string): boolean {
    return this.#keys.has(version);
  }

  /** The key for `version`; throws UNKNOWN_KEY_VERSION. */
  key(version: string): KeyObject {
    const key = this.#keys.get(version);
    if (key === undefined) {
      const shown = KEY_VERSION_PATTERN.test(version) ? `"${version}"` : '(malformed)';
      throw new CryptoError(
        CryptoErrorCode.UNKNOWN_KEY_VERSION,
        `key version ${shown} is not in the key ring (known: ${this.versions.join(', ')})`,
      );
    }
    return key;
  }

  toJSON(): { primaryVersion: string; versions: string[] } {
    return { primaryVersion: this.primaryVersion, versions: this.versions };
  }

  [inspect.custom](): string {
    return `KeyRing { primary: ${this.primaryVersion}, versions: [${this.versions.join(', ')}] }`;
  }
}

/** A `primary=<version>` directive in key ring text (case-insensitive name, spaces allowed around `=`). */
export const PRIMARY_DIRECTIVE = /^primary\s*=\s*(.*)$/i;

/**
 * Parses `version:base64key` entries separated by commas or newlines (blank
 * entries and `#` comment lines are skipped, so a key file can be commented),
 * plus at most one `primary=<version>` directive naming the version that seals
 * new values.
 *
 * The primary is, in order: the text's `primary=` directive, else
 * `defaultPrimary` (PLUMBLINE_PRIMARY_KEY), else the last entry. The directive
 * wins because key rotation writes it: a ring file that was rotated must not be
 * silently overruled by a variable set before the rotation.
 * `source` names the origin in error messages, e.g. "PLUMBLINE_KEYRING".
 */
export function parseKeyRing(text: string, defaultPrimary?: string, source = 'key ring'): KeyRing {
  let directive: string | undefined;
  const entries = text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => {
      const primary = PRIMARY_DIRECTIVE.exec(entry);
      if (primary === null) return entry.length > 0;
      const version = (primary[1] ?? '').trim();
      if (directive !== undefined) {
        throw new CryptoError(CryptoErrorCode.KEYRING_INVALID, `${source}: "primary=" is given more than once`);
      }
      if (!KEY_VERSION_PATTERN.test(version)) {
        throw new CryptoError(
          CryptoErrorCode.KEYRING_INVALID,
          `${source}: "primary=" must name a key version of 1-16 letters or digits`,
        );
      }
      directive = version;
      return false;
    })
    .map((entry, index) => {
      const where = `${source} entry ${index + 1}`;
      const colon = entry.indexOf(':');
      if (colon < 0) {
        throw new CryptoError(CryptoErrorCode.KEYRING_INVALID, `${where}: expected "version:base64key"`);
      }
      const version = entry.slice(0, colon).trim();
      const encoded = entry.slice(colon + 1).trim();
      if (!KEY_VERSION_PATTERN.test(version)) {
        throw new CryptoError(
          CryptoErrorCode.KEYRING_INVALID,
          `${where}: the key version must be 1-16 letters or digits (e.g. "v1", "k2024")`,
        );
      }
      const key = Buffer.from(encoded, 'base64');
      // Node's decoder skips junk silently; insist on canonical base64 instead.
      if (encoded.length === 0 || !BASE64.test(encoded) || key.toString('base64') !== encoded) {
        throw new CryptoError(
          CryptoErrorCode.KEYRING_INVALID,
          `${where} (version "${version}"): the key is not valid base64 (generate one with \`openssl rand -base64 32\`)`,
        );
      }
      return { version, key };
    });
  try {
    return KeyRing.fromKeys(entries, directive ?? defaultPrimary, source);
  } finally {
    for (const { key } of entries) key.fill(0);
  }
}

/** Where the ring comes from, as configured in the environment. */
export type KeyRingOrigin =
  | { kind: 'inline'; text: string; defaultPrimary: string | undefined }
  | { kind: 'file'; path: string; defaultPrimary: string | undefined };

/**
 * Reads `PLUMBLINE_KEYRING` (the entries inline) or `PLUMBLINE_KEYRING_FILE`
 * (a path to a file holding them), never both, and `PLUMBLINE_PRIMARY_KEY`.
 */
export function keyRingOriginFromEnv(env: NodeJS.ProcessEnv = process.env): KeyRingOrigin {
  const inline = nonEmpty(env.PLUMBLINE_KEYRING);
  const file = nonEmpty(env.PLUMBLINE_KEYRING_FILE);
  const defaultPrimary = nonEmpty(env.PLUMBLINE_PRIMARY_KEY);
  if (inline !== undefined && file !== undefined) {
    throw new CryptoError(
      CryptoErrorCode.KEYRING_INVALID,
      'set PLUMBLINE_KEYRING or PLUMBLINE_KEYRING_FILE, not both',
    );
  }
  if (inline !== undefined) return { kind: 'inline', text: inline, defaultPrimary };
  if (file !== undefined) return { kind: 'file', path: file, defaultPrimary };
  throw new CryptoError(
    CryptoErrorCode.KEYRING_MISSING,
    'no encryption keys configured: set PLUMBLINE_KEYRING="v1:<base64 of 32 random bytes>" or PLUMBLINE_KEYRING_FILE=<path>',
  );
}

/** The text of a key ring file; throws KEYRING_FILE_UNREADABLE naming the path and errno, never the content. */
export function readKeyRingFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new CryptoError(
      CryptoErrorCode.KEYRING_FILE_UNREADABLE,
      `PLUMBLINE_KEYRING_FILE ${JSON.stringify(path)} cannot be read (${reason})`,
    );
  }
}

/** Parses key ring file text, naming the file source in errors. */
export function parseKeyRingFile(text: string, defaultPrimary?: string): KeyRing {
  return parseKeyRing(text, defaultPrimary, 'PLUMBLINE_KEYRING_FILE');
}

/**
 * The ring from configuration (see `keyRingOriginFromEnv`). `PLUMBLINE_PRIMARY_KEY`
 * applies only when the ring text has no `primary=` line; otherwise the last entry.
 */
export function keyRingFromEnv(env: NodeJS.ProcessEnv = process.env): KeyRing {
  const origin = keyRingOriginFromEnv(env);
  return origin.kind === 'inline'
    ? parseKeyRing(origin.text, origin.defaultPrimary, 'PLUMBLINE_KEYRING')
    : parseKeyRingFile(readKeyRingFile(origin.path), origin.defaultPrimary);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
