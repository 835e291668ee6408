import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import {
  CryptoError,
  CryptoErrorCode,
  KEY_VERSION_PATTERN,
  KeyRingStore,
  SECRET_COLUMNS,
  SecretCipher,
  type SecretColumn,
} from '../crypto';
import { UnitOfWork } from '../database/unit-of-work';
import { LOGGER } from '../logging/logger.provider';
import { KeyError, KeyErrorCode } from './key.errors';
import { KeysRepository, type KeyAdminLock } from './keys.repository';

export const DEFAULT_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 10_000;

/** How long a rotation keeps retrying rows that other transactions hold locked before it gives up. */
const LOCKED_ROWS_RETRIES = 20;
const LOCKED_ROWS_BACKOFF_MS = 250;

export interface RotateOptions {
  /** Generate a new version and make it primary first. */
  addKeyVersion?: boolean;
  /** Name of the new version (only with `addKeyVersion`); generated when empty. */
  newVersion?: string;
  /** Rows re-encrypted per transaction; default 100. */
  batchSize?: number;
  /** Stops the run between batches (client gone, deadline). What is done stays done. */
  signal?: AbortSignal;
}

export interface RotationProgress {
  primaryVersion: string;
  /** Values re-encrypted by this run so far. */
  reencrypted: number;
  /** Values still on another version: an estimate while running, exact in the last message. */
  remaining: number;
  done: boolean;
}

export interface KeyVersionUsage {
  version: string;
  primary: boolean;
  /** False for a version that seals stored ciphertexts but is missing from the ring (they cannot be opened). */
  inRing: boolean;
  ciphertexts: number;
}

/**
 * At-rest key administration: list versions with their usage, rotate (add a
 * version, promote it, re-encrypt every secret column in place), retire.
 *
 * A rotation re-encrypts in batches, one transaction each: lock up to
 * `batchSize` rows not yet on the primary (SKIP LOCKED), re-seal them under the
 * primary with their own row as associated data, and compare-and-set them.
 * Progress lives in the data (a row on the primary is done), so a run that
 * dies half-way is finished by the next one, and re-running is harmless. Old
 * versions stay in the ring throughout, so readers open either. One rotation
 * or retirement at a time across all controlplanes (PostgreSQL advisory lock).
 */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly store: KeyRingStore,
    private readonly cipher: SecretCipher,
    private readonly repository: KeysRepository,
    private readonly unitOfWork: UnitOfWork,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Ring versions in ring order, then versions that seal stored values but are not in the ring. */
  async list(): Promise<KeyVersionUsage[]> {
    const ring = this.store.current();
    const counts = await this.repository.countByVersion();
    const known = ring.versions.map((version) => ({
      version,
      primary: version === ring.primaryVersion,
      inRing: true,
      ciphertexts: counts.get(version) ?? 0,
    }));
    const strays = [...counts]
      .filter(([version]) => !ring.has(version))
      .map(([version, ciphertexts]) => ({ version, primary: false, inRing: false, ciphertexts }));
    return [...known, ...strays];
  }

  async *rotate(options: RotateOptions = {}): AsyncGenerator<RotationProgress> {
    const batchSize = this.batchSize(options.batchSize);
    const newVersion = this.newVersion(options);
    const lock = await this.lock();
    try {
      if (options.addKeyVersion) {
        const added = this.translated(() => this.store.addVersion(newVersion, { primary: true }));
        this.logger.info({ keyVersion: added }, 'key rotation: added a key version and made it primary');
      } else {
        // Another controlplane may have promoted a version since this one last looked.
        this.translated(() => this.store.reload());
      }
      const primary = this.store.current().primaryVersion;
      const initial = await this.repository.countNotOn(primary);
      this.logger.info({ primaryVersion: primary, remaining: initial, batchSize }, 'key rotation: re-encrypting');
      let reencrypted = 0;
      let remaining = initial;
      const progress = (done: boolean): RotationProgress => ({ primaryVersion: primary, reencrypted, remaining, done });
      yield progress(remaining === 0);
      if (remaining === 0) return;

      for (let idle = 0; ; ) {
        let pass = 0;
        for (const column of SECRET_COLUMNS) {
          for (;;) {
            options.signal?.throwIfAborted();
            this.assertPrimaryUnchanged(primary);
            const { selected, updated } = await this.reEncryptBatch(column, primary, batchSize);
            if (selected === 0) break;
            pass += updated;
            reencrypted += updated;
            remaining = Math.max(0, initial - reencrypted);
            yield progress(false);
            // Every row changed under us (or was already done): let the recount decide.
            if (updated === 0) break;
          }
        }
        remaining = await this.repository.countNotOn(primary);
        if (remaining === 0) break;
        // Rows left that no batch could take: held by other transactions (SKIP LOCKED), or
        // written with the old primary by a controlplane that had not seen the new one yet.
        idle = pass === 0 ? idle + 1 : 0;
        if (idle > LOCKED_ROWS_RETRIES) {
          throw new KeyError(
            KeyErrorCode.ROTATION_INCOMPLETE,
            `${remaining} secret values are still not on key version "${primary}" (held by other transactions); run the rotation again`,
          );
        }
        if (pass === 0) await sleep(LOCKED_ROWS_BACKOFF_MS, undefined, { signal: options.signal });
      }
      this.logger.info({ primaryVersion: primary, reencrypted }, 'key rotation: done');
      yield progress(true);
    } finally {
      await lock.release();
    }
  }

  /** Removes `version` from the ring file; refused for the primary and while any ciphertext uses it. */
  async retire(version: string): Promise<void> {
    if (!KEY_VERSION_PATTERN.test(version)) {
      throw new KeyError(KeyErrorCode.INVALID_REQUEST, 'version must be 1-16 letters or digits', { field: 'version' });
    }
    if (this.store.filePath === undefined) throw this.notFile();
    const lock = await this.lock();
    try {
      const ring = this.translated(() => this.store.reload());
      if (!ring.has(version)) {
        throw new KeyError(
          KeyErrorCode.VERSION_UNKNOWN,
          `key version "${version}" is not in the key ring (known: ${ring.versions.join(', ')})`,
          { field: 'version' },
        );
      }
      if (ring.primaryVersion === version) {
        throw new KeyError(
          KeyErrorCode.VERSION_IS_PRIMARY,
          `key version "${version}" is the primary; rotate to a new version before retiring it`,
          { field: 'version' },
        );
      }
      const inUse = await this.repository.countOn(version);
      if (inUse > 0) {
        throw new KeyError(
          KeyErrorCode.VERSION_IN_USE,
          `key version "${version}" still seals ${inUse} stored secret value${inUse === 1 ? '' : 's'}; run RotateKeys first`,
          { field: 'version' },
        );
      }
      this.translated(() => this.store.removeVersion(version));
      this.logger.info({ keyVersion: version }, 'key version retired');
    } finally {
      await lock.release();
    }
  }

  /** One transaction: lock a batch, re-seal it under the primary, compare-and-set. */
  private reEncryptBatch(
    column: SecretColumn,
    primary: string,
    batchSize: number,
  ): Promise<{ selected: number; updated: number }> {
    return this.unitOfWork.run(async (manager) => {
      const rows = await this.repository.lockBatchNotOn(column, primary, batchSize, manager);
      const updates = rows.map((row) => ({ id: row.id, from: row.value, to: this.reSeal(column, row.id, row.value) }));
      const updated = await this.repository.compareAndSet(column, updates, manager);
      return { selected: rows.length, updated };
    });
  }

  private reSeal(column: SecretColumn, rowId: string, value: string): string {
    try {
      return this.cipher.reEncrypt(value, { table: column.table, rowId, column: column.column });
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      throw new KeyError(
        KeyErrorCode.CIPHERTEXT_UNREADABLE,
        `${column.table}.${column.column} of row ${rowId} cannot be re-encrypted: ${error.message}`,
        { field: `${column.table}.${column.column}`, blockingIds: [rowId] },
      );
    }
  }

  private assertPrimaryUnchanged(primary: string): void {
    const now = this.store.current().primaryVersion;
    if (now !== primary) {
      throw new KeyError(
        KeyErrorCode.ROTATION_INCOMPLETE,
        `the primary key version changed from "${primary}" to "${now}" during the rotation; run the rotation again`,
      );
    }
  }

  private async lock(): Promise<KeyAdminLock> {
    const lock = await this.repository.tryAdminLock();
    if (lock === null) {
      throw new KeyError(
        KeyErrorCode.ROTATION_IN_PROGRESS,
        'another key rotation or retirement is running (on this or another controlplane); try again when it has finished',
      );
    }
    return lock;
  }

  private batchSize(requested: number | undefined): number {
    if (requested === undefined || requested === 0) return DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_BATCH_SIZE) {
      throw new KeyError(KeyErrorCode.INVALID_REQUEST, `batch_size must be between 1 and ${MAX_BATCH_SIZE}`, {
        field: 'batch_size',
      });
    }
    return requested;
  }

  private newVersion(options: RotateOptions): string | undefined {
    const name = options.newVersion?.trim() ?? '';
    if (name === '') return undefined;
    if (!options.addKeyVersion) {
      throw new KeyError(KeyErrorCode.INVALID_REQUEST, 'new_version is only meaningful with add_key_version', {
        field: 'new_version',
      });
    }
    if (!KEY_VERSION_PATTERN.test(name)) {
      throw new KeyError(KeyErrorCode.INVALID_REQUEST, 'new_version must be 1-16 letters or digits', {
        field: 'new_version',
      });
    }
    return name;
  }

  private notFile(): KeyError {
    return new KeyError(
      KeyErrorCode.KEYRING_NOT_FILE,
      'the key ring comes from PLUMBLINE_KEYRING; adding or retiring key versions needs a key ring file (PLUMBLINE_KEYRING_FILE)',
    );
  }

  /** Runs a key ring store operation, turning its CryptoErrors into KeyErrors. */
  private translated<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      switch (error.code) {
        case CryptoErrorCode.KEYRING_NOT_FILE:
          throw this.notFile();
        case CryptoErrorCode.KEY_VERSION_EXISTS:
          throw new KeyError(KeyErrorCode.VERSION_EXISTS, error.message, { field: 'new_version' });
        case CryptoErrorCode.UNKNOWN_KEY_VERSION:
          throw new KeyError(KeyErrorCode.VERSION_UNKNOWN, error.message, { field: 'version' });
        case CryptoErrorCode.KEY_VERSION_IS_PRIMARY:
          throw new KeyError(KeyErrorCode.VERSION_IS_PRIMARY, error.message, { field: 'version' });
        default:
          throw new KeyError(KeyErrorCode.KEYRING_UNAVAILABLE, error.message);
      }
    }
  }
}
