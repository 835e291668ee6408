import { Injectable } from '@nestjs/common';
import { EntityManager, QueryRunner } from 'typeorm';
import { CIPHERTEXT_FORMAT, SECRET_COLUMNS, type SecretColumn } from '../crypto';
import { UnitOfWork } from '../database/unit-of-work';

/**
 * Session-level advisory lock (two-int form) that serialises key administration
 * (rotation, retirement) across every controlplane on this database. A crashed
 * holder's session ends with it, which releases the lock.
 */
const KEY_ADMIN_LOCK = [0x504c424e /* "PLBN" */, 1] as const;

/** A stored ciphertext, by row. */
export interface StoredCiphertext {
  id: string;
  value: string;
}

/** A held key administration lock; `release` is idempotent. */
export interface KeyAdminLock {
  release(): Promise<void>;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** `plb1.<version>.%`: every ciphertext sealed with `version` (versions are letters and digits: no LIKE escapes needed). */
const versionPattern = (version: string) => `${CIPHERTEXT_FORMAT}.${version}.%`;

/** Raw SQL over every secret-bearing column (`SECRET_COLUMNS`): the only code of the feature that talks to PostgreSQL. */
@Injectable()
export class KeysRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  /** Ciphertexts per key version, summed over all secret columns. Values that are not `plb1.` ciphertexts are not counted. */
  async countByVersion(): Promise<Map<string, number>> {
    const union = SECRET_COLUMNS.map(
      ({ table, column }) =>
        `SELECT split_part(${quote(column)}, '.', 2) AS version FROM ${quote(table)} WHERE ${quote(column)} LIKE $1`,
    ).join(' UNION ALL ');
    const rows: Array<{ version: string; count: number }> = await this.unitOfWork.manager.query(
      `SELECT version, count(*)::int AS count FROM (${union}) AS ciphertexts GROUP BY version ORDER BY version`,
      [`${CIPHERTEXT_FORMAT}.%`],
    );
    return new Map(rows.map((row) => [row.version, row.count]));
  }

  /** Stored values (NULLs aside) that are not sealed with `version`, over all secret columns. */
  async countNotOn(version: string): Promise<number> {
    return this.countWhere(`NOT LIKE $1`, version);
  }

  /** Ciphertexts sealed with `version`, over all secret columns. */
  async countOn(version: string): Promise<number> {
    return this.countWhere(`LIKE $1`, version);
  }

  private async countWhere(predicate: string, version: string): Promise<number> {
    const sum = SECRET_COLUMNS.map(
      ({ table, column }) =>
        `(SELECT count(*) FROM ${quote(table)} WHERE ${quote(column)} IS NOT NULL AND ${quote(column)} ${predicate})`,
    ).join(' + ');
    const [row]: Array<{ count: number }> = await this.unitOfWork.manager.query(`SELECT (${sum})::int AS count`, [
      versionPattern(version),
    ]);
    return row?.count ?? 0;
  }

  /**
   * Locks up to `limit` rows of `column` whose value is not sealed with
   * `version` until the transaction ends. Rows another transaction holds are
   * skipped (SKIP LOCKED), so live traffic never waits on a rotation batch and
   * two batches never take the same row.
   */
  async lockBatchNotOn(
    { table, column }: SecretColumn,
    version: string,
    limit: number,
    manager: EntityManager,
  ): Promise<StoredCiphertext[]> {
    return manager.query(
      `SELECT id::text AS id, ${quote(column)} AS value FROM ${quote(table)}
        WHERE ${quote(column)} IS NOT NULL AND ${quote(column)} NOT LIKE $1
        LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [versionPattern(version), limit],
    );
  }

  /**
   * Writes each new value only where the column still holds the value that was
   * read (compare-and-set), so a concurrent edit is never overwritten. Touches
   * nothing else: not `updated_at`, not the optimistic `version` of a
   * connection, so an edit in flight is not aborted by a rotation.
   */
  async compareAndSet(
    { table, column }: SecretColumn,
    updates: ReadonlyArray<{ id: string; from: string; to: string }>,
    manager: EntityManager,
  ): Promise<number> {
    if (updates.length === 0) return 0;
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE ${quote(table)} AS t SET ${quote(column)} = u.to_value
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, from_value, to_value)
        WHERE t.id = u.id AND t.${quote(column)} = u.from_value`,
      [updates.map((u) => u.id), updates.map((u) => u.from), updates.map((u) => u.to)],
    );
    return affected;
  }

  /** Takes the key administration lock without waiting; null when another session holds it. */
  async tryAdminLock(): Promise<KeyAdminLock | null> {
    const runner: QueryRunner = this.unitOfWork.manager.connection.createQueryRunner();
    try {
      await runner.connect();
      const [row]: Array<{ locked: boolean }> = await runner.query(
        `SELECT pg_try_advisory_lock($1, $2) AS locked`,
        [...KEY_ADMIN_LOCK],
      );
      if (row?.locked !== true) {
        await runner.release();
        return null;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await runner.query(`SELECT pg_advisory_unlock($1, $2)`, [...KEY_ADMIN_LOCK]);
        } finally {
          await runner.release();
        }
      },
    };
  }
}
