import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CryptoError, CryptoErrorCode } from './errors';
import {
  KEY_BYTES,
  KEY_VERSION_PATTERN,
  PRIMARY_DIRECTIVE,
  keyRingOriginFromEnv,
  parseKeyRing,
  parseKeyRingFile,
  readKeyRingFile,
  type KeyRing,
} from './key-ring';
import type { KeyRingSource } from './secret-cipher';

/** Written above the entries when a ring file has no leading comment of its own. */
export const KEY_RING_FILE_HEADER = [
  '# Plumbline key ring: one "version:base64key" entry per line (32-byte AES-256 keys).',
  '# "primary=<version>" names the key that seals new values. KeyService (RotateKeys,',
  '# RetireKey) rewrites this file atomically; comments and hand edits are kept.',
].join('\n');

export interface KeyRingStoreOptions {
  /**
   * How often `current()` may look at the file (inode, size, mtime) for a change
   * made by another writer (another controlplane, an operator). 0 checks on
   * every call. Default 1000 ms.
   */
  checkIntervalMs?: number;
  /** Told when a changed file cannot be loaded (the previous ring stays in use) or the primary variable is overruled. */
  warn?: (message: string) => void;
}

/**
 * The controlplane's key ring, kept current. With `PLUMBLINE_KEYRING_FILE` the
 * file is the source of truth: this store reloads it when it changes, and adds,
 * promotes and removes versions by rewriting it atomically (temp file in the
 * same directory, fsync, rename, mode 0600). A ring given inline in
 * `PLUMBLINE_KEYRING` is fixed: every file operation answers KEYRING_NOT_FILE.
 *
 * File operations are synchronous on purpose: each reads the file afresh,
 * edits the text and renames the result in one turn of the event loop, so two
 * operations of one process never interleave. Across processes, callers hold
 * the key administration lock (see keys/).
 */
export class KeyRingStore implements KeyRingSource {
  #ring: KeyRing;
  #stamp: string | undefined;
  #checkedAt = 0;
  private readonly checkIntervalMs: number;
  private readonly warn: (message: string) => void;

  private constructor(
    ring: KeyRing,
    /** The ring file's path; undefined for an inline ring. */
    readonly filePath: string | undefined,
    /** PLUMBLINE_PRIMARY_KEY: the primary when the file has no `primary=` line. */
    private readonly defaultPrimary: string | undefined,
    options: KeyRingStoreOptions,
  ) {
    this.#ring = ring;
    this.checkIntervalMs = options.checkIntervalMs ?? 1_000;
    this.warn = options.warn ?? (() => undefined);
    if (filePath !== undefined) {
      this.#stamp = this.stampOf(filePath);
      this.#checkedAt = Date.now();
    }
  }

  /** From `PLUMBLINE_KEYRING` / `PLUMBLINE_KEYRING_FILE` and `PLUMBLINE_PRIMARY_KEY`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: KeyRingStoreOptions = {}): KeyRingStore {
    const origin = keyRingOriginFromEnv(env);
    if (origin.kind === 'inline') {
      return KeyRingStore.fixed(parseKeyRing(origin.text, origin.defaultPrimary, 'PLUMBLINE_KEYRING'), options);
    }
    return KeyRingStore.fromFile(origin.path, { ...options, defaultPrimary: origin.defaultPrimary });
  }

  static fromFile(path: string, options: KeyRingStoreOptions & { defaultPrimary?: string } = {}): KeyRingStore {
    const store = new KeyRingStore(
      parseKeyRingFile(readKeyRingFile(path), options.defaultPrimary),
      path,
      options.defaultPrimary,
      options,
    );
    store.warnIfPrimaryOverruled();
    return store;
  }

  /** A ring that cannot change (inline configuration, tests). */
  static fixed(ring: KeyRing, options: KeyRingStoreOptions = {}): KeyRingStore {
    return new KeyRingStore(ring, undefined, undefined, options);
  }

  /** The ring to use now; picks up a file changed by another writer (checked at most every `checkIntervalMs`). */
  current(): KeyRing {
    if (this.filePath !== undefined && Date.now() - this.#checkedAt >= this.checkIntervalMs) {
      this.#checkedAt = Date.now();
      if (this.stampOf(this.filePath) !== this.#stamp) {
        try {
          this.reload();
        } catch (error) {
          this.warn(`key ring file changed but cannot be loaded; still using the previous ring: ${messageOf(error)}`);
        }
      }
    }
    return this.#ring;
  }

  /** For `SecretCipher`: a ciphertext named a version we lack; re-read the file once, never throw. */
  refresh(): KeyRing {
    if (this.filePath === undefined) return this.#ring;
    try {
      return this.reload();
    } catch (error) {
      this.warn(`key ring file cannot be reloaded; still using the previous ring: ${messageOf(error)}`);
      return this.#ring;
    }
  }

  /** Re-reads the file now. Throws KEYRING_FILE_UNREADABLE / KEYRING_INVALID / PRIMARY_KEY_UNKNOWN, keeping the old ring. */
  reload(): KeyRing {
    if (this.filePath === undefined) return this.#ring;
    const stamp = this.stampOf(this.filePath);
    this.#ring = parseKeyRingFile(readKeyRingFile(this.filePath), this.defaultPrimary);
    this.#stamp = stamp;
    this.#checkedAt = Date.now();
    return this.#ring;
  }

  /**
   * Adds a version with a fresh random 32-byte key and returns its name
   * (generated as "k" + UTC yyyymmddhhmmss when not given). The primary stays
   * where it is unless `primary` is set; either way the file ends up naming its
   * primary with a `primary=` line, so appending an entry never moves it.
   */
  addVersion(version?: string, options: { primary?: boolean } = {}): string {
    return this.edit((text, ring) => {
      const name = version ?? generatedVersion(ring);
      if (!KEY_VERSION_PATTERN.test(name)) {
        throw new CryptoError(CryptoErrorCode.KEYRING_INVALID, 'a key version must be 1-16 letters or digits');
      }
      if (ring.versions.some((known) => known.toLowerCase() === name.toLowerCase())) {
        throw new CryptoError(CryptoErrorCode.KEY_VERSION_EXISTS, `key version "${name}" is already in the key ring`);
      }
      const key = randomBytes(KEY_BYTES).toString('base64');
      const added = insertEntry(text, `${name}:${key}`);
      return { text: withPrimary(added, options.primary ? name : ring.primaryVersion), result: name };
    });
  }

  /** Makes `version` (already in the ring) the one that seals new values. */
  setPrimary(version: string): void {
    this.edit((text, ring) => {
      ring.key(version); // UNKNOWN_KEY_VERSION
      return { text: withPrimary(text, version), result: undefined };
    });
  }

  /** Drops `version` and its key from the file. Refuses the primary. Callers check that no ciphertext uses it. */
  removeVersion(version: string): void {
    this.edit((text, ring) => {
      ring.key(version); // UNKNOWN_KEY_VERSION
      if (ring.primaryVersion === version) {
        throw new CryptoError(
          CryptoErrorCode.KEY_VERSION_IS_PRIMARY,
          `key version "${version}" is the primary; make another version primary first`,
        );
      }
      return { text: withPrimary(withoutEntry(text, version), ring.primaryVersion), result: undefined };
    });
  }

  /**
   * Reads the file afresh (another writer may have changed it), applies
   * `change`, checks that the result parses, writes it atomically and swaps in
   * the new ring.
   */
  private edit<T>(change: (text: string, ring: KeyRing) => { text: string; result: T }): T {
    const path = this.filePath;
    if (path === undefined) {
      throw new CryptoError(
        CryptoErrorCode.KEYRING_NOT_FILE,
        'the key ring comes from PLUMBLINE_KEYRING; key versions can only be added, promoted or retired in a key ring file (PLUMBLINE_KEYRING_FILE)',
      );
    }
    const before = readKeyRingFile(path);
    const { text, result } = change(before, parseKeyRingFile(before, this.defaultPrimary));
    const withHeader = text.trimStart().startsWith('#') ? text : `${KEY_RING_FILE_HEADER}\n${text}`;
    const ring = parseKeyRingFile(withHeader, this.defaultPrimary);
    writeFileAtomically(path, withHeader);
    this.#ring = ring;
    this.#stamp = this.stampOf(path);
    this.#checkedAt = Date.now();
    return result;
  }

  private stampOf(path: string): string | undefined {
    try {
      const stat = statSync(path, { bigint: true });
      return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    } catch {
      return undefined;
    }
  }

  private warnIfPrimaryOverruled(): void {
    if (this.defaultPrimary !== undefined && this.defaultPrimary !== this.#ring.primaryVersion) {
      this.warn(
        `PLUMBLINE_PRIMARY_KEY=${this.defaultPrimary} is ignored: the key ring file names primary=${this.#ring.primaryVersion}`,
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof CryptoError ? error.message : 'unexpected error';
}

function generatedVersion(ring: KeyRing): string {
  const base = `k${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const taken = new Set(ring.versions.map((version) => version.toLowerCase()));
  if (!taken.has(base)) return base;
  const free = [...'abcdefghijklmnopqrstuvwxyz'].find((suffix) => !taken.has(`${base}${suffix}`));
  if (free === undefined) {
    throw new CryptoError(CryptoErrorCode.KEY_VERSION_EXISTS, 'too many key versions generated this second; try again');
  }
  return `${base}${free}`;
}

/** The text's lines (without terminators) and the line terminator it uses. */
function linesOf(text: string): { lines: string[]; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return { lines, eol };
}

const joinLines = ({ lines, eol }: { lines: string[]; eol: string }) => `${lines.join(eol)}${eol}`;

/**
 * Rewrites every non-comment entry (lines may hold several, comma separated):
 * `change` returns the replacement or null to drop it. A line left without
 * entries is dropped; comments and other lines stay as they were.
 */
function mapEntries(text: string, change: (entry: string) => string | null): string {
  const { lines, eol } = linesOf(text);
  const kept = lines.flatMap((line) => {
    if (line.trimStart().startsWith('#') || line.trim() === '') return [line];
    const parts = line.split(',');
    const changed = parts.flatMap((part) => {
      const entry = part.trim();
      if (entry === '') return [];
      const replacement = change(entry);
      if (replacement === null) return [];
      return [replacement === entry ? part : part.replace(entry, () => replacement)];
    });
    if (changed.length === 0) return [];
    return [changed.join(',')];
  });
  return joinLines({ lines: kept, eol });
}

/** Adds an entry line after the last line holding a key entry (so a trailing `primary=` line stays last). */
export function insertEntry(text: string, entry: string): string {
  const parsed = linesOf(text);
  const isKeyLine = (line: string) =>
    !line.trimStart().startsWith('#') && line.split(',').some((part) => part.includes(':') && !PRIMARY_DIRECTIVE.test(part.trim()));
  let at = parsed.lines.length;
  for (let index = parsed.lines.length - 1; index >= 0; index--) {
    if (isKeyLine(parsed.lines[index] ?? '')) {
      at = index + 1;
      break;
    }
  }
  return joinLines({ lines: [...parsed.lines.slice(0, at), entry, ...parsed.lines.slice(at)], eol: parsed.eol });
}

export function appendLine(text: string, line: string): string {
  const parsed = linesOf(text);
  return joinLines({ lines: [...parsed.lines, line], eol: parsed.eol });
}

/** Sets the `primary=` line (replacing an existing directive in place, or appending one). */
export function withPrimary(text: string, version: string): string {
  let found = false;
  const replaced = mapEntries(text, (entry) => {
    if (!PRIMARY_DIRECTIVE.test(entry)) return entry;
    found = true;
    return `primary=${version}`;
  });
  return found ? replaced : appendLine(replaced, `primary=${version}`);
}

/** Drops the `version:key` entry of `version` (exact version match). */
export function withoutEntry(text: string, version: string): string {
  return mapEntries(text, (entry) => {
    const colon = entry.indexOf(':');
    return colon >= 0 && !PRIMARY_DIRECTIVE.test(entry) && entry.slice(0, colon).trim() === version ? null : entry;
  });
}

/**
 * Replaces `path` by `text` so a reader sees the old file or the new one, never
 * a mix: a temp file in the same directory (mode 0600), fsync, rename over the
 * target, fsync of the directory. A symlinked path is resolved first, so the
 * link keeps pointing at the (new) file.
 */
export function writeFileAtomically(path: string, text: string): void {
  let target = path;
  let temp: string | undefined;
  try {
    target = realpathSync(path);
    const dir = dirname(target);
    temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    temp = undefined;
    syncDirectory(dir);
  } catch (error) {
    if (temp !== undefined) rmSync(temp, { force: true });
    const reason = (error as NodeJS.ErrnoException).code ?? 'write error';
    throw new CryptoError(
      CryptoErrorCode.KEYRING_FILE_UNWRITABLE,
      `PLUMBLINE_KEYRING_FILE ${JSON.stringify(path)} cannot be rewritten (${reason})`,
    );
  }
}

/** Makes the rename durable. Best effort: some file systems refuse to fsync a directory. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the rename already happened; durability is up to the file system
  }
}
