import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { OperationEntity, type OperationStatusName, type OperationTypeName } from './operation.entity';

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

  /** Every operation waiting for a worker (not yet leased, not aborted). */
  async queuedIds(): Promise<string[]> {
    const rows = await this.manager().find(OperationEntity, {
      select: { id: true },
      where: { status: 'queued', abortRequested: false },
      order: { createdAt: 'ASC' },
    });
    return rows.map((row) => row.id);
  }

  async insert(entity: OperationEntity): Promise<OperationEntity> {
    const result = await this.manager().insert(OperationEntity, entity);
    // RETURNING brings back what the database filled in (timestamps): no second read.
    return Object.assign(entity, result.generatedMaps[0]);
  }

  /**
   * The hot path of a lease, in one round trip: a new attempt for an operation
   * that may still run. Null when it may not (gone, ended, aborted): the caller
   * then finds out why.
   */
  async beginAttempt(id: string): Promise<Pick<OperationEntity, 'id' | 'datastoreId' | 'type' | 'attempt' | 'options'> | null> {
    const rows = returnedRows<{ id: string; datastore_id: string; type: OperationEntity['type']; attempt: number; options: OperationEntity['options'] }>(
      await this.manager().query(
        `UPDATE operation
            SET attempt = attempt + 1, status = 'running', started_at = COALESCE(started_at, now()),
                progress_done = 0, progress_total = 0, progress_message = '', updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running') AND NOT abort_requested
          RETURNING id, datastore_id, type, attempt, options`,
        [id],
      ),
    );
    const row = rows[0];
    return row ? { id: row.id, datastoreId: row.datastore_id, type: row.type, attempt: row.attempt, options: row.options } : null;
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
