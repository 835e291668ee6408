import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { isUuid } from '../database/ids';
import { DatastoreError, DatastoreErrorCode } from '../datastores/datastore.errors';
import { OperationQueue } from './operation-queue';
import {
  OperationEntity,
  TERMINAL_STATUSES,
  type OperationTypeName,
  type StoredOptions,
} from './operation.entity';
import { OperationError, OperationErrorCode } from './operation.errors';
import { OperationsRepository, type OperationFilter } from './operations.repository';

const WATCH_INTERVAL_MS = 200;

@Injectable()
export class OperationsService {
  constructor(
    private readonly repository: OperationsRepository,
    private readonly queue: OperationQueue,
  ) {}

  /** Inserts the row, then the job; if Redis refuses the job, the row goes too. */
  async enqueue(datastoreId: string, type: OperationTypeName | undefined, options: StoredOptions): Promise<OperationEntity> {
    if (!type) throw new OperationError(OperationErrorCode.INVALID_REQUEST, 'type is required', 'type');
    if (!isUuid(datastoreId)) {
      throw new DatastoreError(DatastoreErrorCode.INVALID_REQUEST, 'datastore_id must be a datastore id (a UUID)', 'datastore_id');
    }
    const entity = Object.assign(new OperationEntity(), {
      id: randomUUID(),
      datastoreId,
      type,
      status: 'queued',
      options,
      attempt: 0,
      abortRequested: false,
      progressDone: 0,
      progressTotal: 0,
      progressMessage: '',
      counts: {},
      errorCode: null,
      errorMessage: null,
      startedAt: null,
      finishedAt: null,
    });
    const saved = await this.repository.insertQueued(entity);
    if (!saved) throw new DatastoreError(DatastoreErrorCode.NOT_FOUND, `datastore '${datastoreId}' does not exist`, 'datastore_id');
    try {
      await this.queue.enqueue(saved.id);
    } catch {
      await this.repository.delete(saved.id);
      throw new OperationError(OperationErrorCode.QUEUE_UNAVAILABLE, 'the operations queue (Redis) is unavailable; nothing was enqueued');
    }
    return saved;
  }

  async get(id: string): Promise<OperationEntity> {
    if (!isUuid(id)) throw new OperationError(OperationErrorCode.INVALID_REQUEST, 'id must be an operation id (a UUID)', 'id');
    const entity = await this.repository.findById(id);
    if (!entity) throw new OperationError(OperationErrorCode.NOT_FOUND, `operation '${id}' does not exist`, 'id');
    return entity;
  }

  list(filter: OperationFilter): Promise<OperationEntity[]> {
    if (filter.datastoreId && !isUuid(filter.datastoreId)) {
      throw new OperationError(OperationErrorCode.INVALID_REQUEST, 'datastore_id must be a UUID', 'datastore_id');
    }
    return this.repository.list(filter);
  }

  /**
   * Yields the operation whenever it changed, until it ends. Reads the
   * database, so it sees changes made through any controlplane replica.
   */
  async *watch(id: string, signal: AbortSignal): AsyncIterable<OperationEntity> {
    let last = '';
    while (!signal.aborted) {
      const current = await this.get(id);
      const fingerprint = `${current.updatedAt.getTime()}|${current.status}|${current.progressDone}|${current.attempt}`;
      if (fingerprint !== last) {
        last = fingerprint;
        yield current;
      }
      if (TERMINAL_STATUSES.includes(current.status)) return;
      await sleep(WATCH_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * A queued operation ends at once; a running one is told at its next
   * progress report. Each change is one conditional statement, so an abort
   * racing a worker's finish leaves whichever came first.
   */
  async abort(id: string): Promise<OperationEntity> {
    const current = await this.get(id);
    if (TERMINAL_STATUSES.includes(current.status)) return current;
    const aborted = { status: 'aborted', errorCode: 'ABORTED', errorMessage: 'aborted before it started' } as const;
    if (current.status === 'queued' && (await this.queue.removeWaiting(id)) && (await this.repository.endUnfinished(id, aborted, ['queued']))) {
      return this.get(id);
    }
    await this.repository.requestAbort(id);
    return this.get(id);
  }
}
