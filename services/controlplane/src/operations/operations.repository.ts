import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PG_FOREIGN_KEY_VIOLATION, UnitOfWork, pgErrorCode } from '../database/unit-of-work';
import { datastoreWithConnectionSql, type DatastoreWithConnection } from '../datastores/datastores.repository';
import { OperationEntity, type OperationStatusName, type OperationTypeName } from './operation.entity';

/** What a new attempt needs of its operation. */
export type StartedAttempt = Pick<OperationEntity, 'id' | 'datastoreId' | 'type' | 'attempt' | 'options'>;

export interface OperationFilter {
  datastoreId?: string;
  type?: OperationTypeName;
  status?: OperationStatusName;
  limit: number;
}

/** TypeORM's raw query answers an UPDATE … RETURNING with [rows, affected]; a SELECT with rows. */
function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

@Injectable()
export class OperationsRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.unitOfWork.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<OperationEntity | null> {
    return this.manager(manager).findOneBy(OperationEntity, { id });
  }

  lockById(id: string, manager: EntityManager): Promise<OperationEntity | null> {
    return manager.findOne(OperationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  list(filter: OperationFilter): Promise<OperationEntity[]> {
    return this.manager().find(OperationEntity, {
      where: {
        ...(filter.datastoreId ? { datastoreId: filter.datastoreId } : {}),
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: filter.limit,
    });
  }

  /**
   * What should have a job in the queue: every QUEUED operation (not aborted),
   * and every RUNNING one not updated since `staleBefore`, oldest first.
   */
  async unfinishedIds(staleBefore: Date): Promise<string[]> {
    const rows = await this.manager().query<{ id: string }[]>(
      `SELECT id FROM operation
        WHERE (status = 'queued' AND NOT abort_requested) OR (status = 'running' AND updated_at < $1)
        ORDER BY created_at`,
      [staleBefore],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Ends an operation that no worker will end, in one statement, so it cannot
   * overwrite a worker's finish; false when it is no longer in one of `from`.
   */
  async endUnfinished(
    id: string,
    end: { status: Extract<OperationStatusName, 'failure' | 'aborted'>; errorCode: string; errorMessage: string },
    from: readonly OperationStatusName[] = ['queued', 'running'],
  ): Promise<boolean> {
    const rows = returnedRows(
      await this.manager().query(
        `UPDATE operation
            SET status = $2, error_code = $3, error_message = $4, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status = ANY($5)
          RETURNING id`,
        [id, end.status, end.errorCode, end.errorMessage, from],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Flags a queued or running operation for abort in one statement (a read
   * and a save of the whole row could undo a finish made in between); false
   * when it already ended.
   */
  async requestAbort(id: string): Promise<boolean> {
    const rows = returnedRows(
      await this.manager().query(
        `UPDATE operation SET abort_requested = true, updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running')
          RETURNING id`,
        [id],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Inserts a queued operation in one round trip; null when its datastore does
   * not exist (the foreign key answers that, so no read comes first). RETURNING
   * brings back what the database filled in.
   */
  async insertQueued(entity: OperationEntity): Promise<OperationEntity | null> {
    try {
      const [row] = await this.manager().query<{ created_at: Date; updated_at: Date }[]>(
        `INSERT INTO operation (id, datastore_id, type, status, options)
         VALUES ($1, $2, $3, 'queued', $4)
         RETURNING created_at, updated_at`,
        [entity.id, entity.datastoreId, entity.type, JSON.stringify(entity.options)],
      );
      return Object.assign(entity, { createdAt: row?.created_at, updatedAt: row?.updated_at });
    } catch (error) {
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) return null;
      throw error;
    }
  }

  /**
   * The hot path of a lease, in one round trip: a new attempt for an operation
   * that may still run, with its datastore, connection and secrets manager
   * (the UPDATE is a CTE the join reads). Null when it may not run (gone,
   * ended, aborted): the caller then finds out why.
   */
  async beginAttempt(id: string): Promise<(DatastoreWithConnection & { operation: StartedAttempt }) | null> {
    const manager = this.manager();
    const sql = datastoreWithConnectionSql(manager);
    type Row = Record<string, unknown> & {
      started_id: string;
      started_type: OperationEntity['type'];
      started_attempt: number;
      started_options: OperationEntity['options'];
    };
    const rows = returnedRows<Row>(
      await manager.query(
        `WITH started AS (
           UPDATE operation
              SET attempt = attempt + 1, status = 'running', started_at = COALESCE(started_at, now()),
                  progress_done = 0, progress_total = 0, progress_message = '', updated_at = now()
            WHERE id = $1 AND status IN ('queued', 'running') AND NOT abort_requested
            RETURNING id, datastore_id, type, attempt, options)
         SELECT ${sql.columns}, o.id AS started_id, o.type AS started_type, o.attempt AS started_attempt, o.options AS started_options
           FROM started o JOIN (${sql.from}) ON d.id = o.datastore_id`,
        [id],
      ),
    );
    const [row] = rows;
    if (!row) return null;
    const found = sql.read(row);
    const operation = { id: row.started_id, datastoreId: found.datastore.id, type: row.started_type, attempt: row.started_attempt, options: row.started_options };
    return { ...found, operation };
  }

  /** Ends the current attempt in one round trip; false when the token is stale or the operation already ended. */
  async endAttempt(
    id: string,
    token: number,
    end: Pick<OperationEntity, 'status' | 'errorCode' | 'errorMessage' | 'counts'>,
  ): Promise<boolean> {
    const rows = returnedRows(
      await this.manager().query(
      `UPDATE operation
          SET status = $3, error_code = $4, error_message = $5, counts = $6, finished_at = now(), updated_at = now()
        WHERE id = $1 AND attempt = $2 AND status = 'running'
        RETURNING id`,
        [id, token, end.status, end.errorCode, end.errorMessage, JSON.stringify(end.counts)],
      ),
    );
    return rows.length === 1;
  }

  async delete(id: string): Promise<void> {
    await this.manager().delete(OperationEntity, { id });
  }

  async save(entity: OperationEntity, manager?: EntityManager): Promise<OperationEntity> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...changes } = entity;
    await this.manager(manager).update(OperationEntity, { id }, changes);
    return this.manager(manager).findOneByOrFail(OperationEntity, { id });
  }
}
