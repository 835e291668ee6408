import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { controlplane } from '@plumbline/proto';
import { AnomaliesRepository } from '../catalog/anomalies.repository';
import { CatalogRepository } from '../catalog/catalog.repository';
import { ProfilesRepository } from '../catalog/profiles.repository';
import type { ResolvedTarget } from '../connection-testing/connection-tester';
import { UnitOfWork } from '../database/unit-of-work';
import { DatastoresService } from '../datastores/datastores.service';
import { OperationEntity, TERMINAL_STATUSES, type OperationStatusName } from '../operations/operation.entity';
import { OperationError, OperationErrorCode } from '../operations/operation.errors';
import { OperationsRepository, type StartedAttempt } from '../operations/operations.repository';

export interface StartedOperation {
  operation: StartedAttempt;
  /** Decrypted and resolved: handed to the dataplane over mTLS, never stored. */
  target: ResolvedTarget;
  /** Scan: the checks of the containers, and the last high-water mark per container. */
  checks: controlplane.Check[];
  highWaterMarks: Record<string, string>;
}

export interface FinishInput {
  status: Extract<OperationStatusName, 'success' | 'failure' | 'aborted'>;
  errorCode: string;
  errorMessage: string;
  counts: Record<string, number>;
}

/**
 * The controlplane's side of a worker's lease on an operation. Every write is
 * fenced: it must carry the current attempt number, so a retried or stalled
 * attempt can never write after a newer one started.
 */
@Injectable()
export class OperationBrokerService {
  constructor(
    private readonly operations: OperationsRepository,
    private readonly datastores: DatastoresService,
    private readonly unitOfWork: UnitOfWork,
    private readonly catalog: CatalogRepository,
    private readonly profiles: ProfilesRepository,
    private readonly anomalies: AnomaliesRepository,
  ) {}

  /** A new attempt: RUNNING, attempt + 1 (the fencing token), inputs resolved. */
  async start(operationId: string): Promise<StartedOperation> {
    const begun = await this.operations.beginAttempt(operationId);
    const operation = begun?.operation ?? (await this.startSlowly(operationId));
    let inputs: Pick<StartedOperation, 'checks' | 'highWaterMarks'> = { checks: [], highWaterMarks: {} };
    if ((operation.type === 'profile' || operation.type === 'scan') && !operation.options.containers?.length) {
      // No containers named: every one the last sync found.
      const containers = await this.profiles.syncedContainers(this.unitOfWork.manager, operation.datastoreId);
      operation.options = { ...operation.options, containers };
    }
    if (operation.type === 'scan') {
      const manager = this.unitOfWork.manager;
      inputs = {
        checks: await this.anomalies.checksOf(manager, operation.datastoreId, operation.options.containers ?? []),
        highWaterMarks: operation.options.incrementalColumn
          ? await this.anomalies.watermarks(manager, operation.datastoreId, operation.options.incrementalColumn)
          : {},
      };
    }
    try {
      const target = begun ? await this.datastores.resolveLoaded(begun) : await this.datastores.resolveTarget(operation.datastoreId);
      return { operation, ...inputs, target };
    } catch (error) {
      // Credentials that cannot be resolved now will not resolve on a retry either. Our
      // typed errors carry vetted messages; anything else is reported by class only.
      const typed = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
      const message = typed ? (error as Error).message : 'the connection could not be resolved; see controlplane logs';
      await this.finish(operationId, operation.attempt, {
        status: 'failure',
        errorCode: 'RESOLUTION_FAILED',
        errorMessage: message,
        counts: {},
      });
      throw error;
    }
  }

  /** Why an operation cannot start (gone, ended, aborted), recording an abort. */
  private async startSlowly(operationId: string): Promise<OperationEntity> {
    const operation = await this.unitOfWork.run(async (manager) => {
      const current = await this.lock(operationId, manager);
      if (current.abortRequested) {
        // Aborted while queued or between attempts: end it here, and tell the worker it ended.
        const ended = { status: 'aborted', errorCode: 'ABORTED', errorMessage: 'aborted before it started', counts: {} } as const;
        return this.operations.save(this.ended(current, ended), manager);
      }
      Object.assign(current, {
        attempt: current.attempt + 1,
        status: 'running',
        startedAt: current.startedAt ?? new Date(),
        progressDone: 0,
        progressTotal: 0,
        progressMessage: '',
      });
      return this.operations.save(current, manager);
    });
    if (operation.status === 'aborted') throw this.finished(operation);
    return operation;
  }

  /** Records progress; answers whether the operation was aborted meanwhile. */
  async progress(operationId: string, token: number, done: number, total: number, message: string): Promise<boolean> {
    return this.unitOfWork.run(async (manager) => {
      const current = await this.fenced(operationId, token, manager);
      Object.assign(current, { progressDone: done, progressTotal: total, progressMessage: message.slice(0, 500) });
      await this.operations.save(current, manager);
      return current.abortRequested;
    });
  }

  /**
   * Stores a results batch of the current attempt, in one transaction with the
   * fencing check (the row lock holds off a concurrent newer attempt).
   */
  async acceptResults(operationId: string, token: number, batch: controlplane.SubmitResultsRequest['batch']): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const current = await this.fenced(operationId, token, manager);
      switch (batch.case) {
        case 'catalog':
          if (current.type !== 'sync') {
            throw new OperationError(OperationErrorCode.INVALID_REQUEST, `a ${current.type} operation sends no catalog`, 'catalog');
          }
          await this.catalog.apply(manager, current.datastoreId, current.id, batch.value.containers);
          return;
        case 'profiles':
          if (current.type !== 'profile') {
            throw new OperationError(OperationErrorCode.INVALID_REQUEST, `a ${current.type} operation sends no profiles`, 'profiles');
          }
          await this.profiles.apply(manager, current.datastoreId, current.id, batch.value);
          return;
        case 'anomalies':
          if (current.type !== 'scan') {
            throw new OperationError(OperationErrorCode.INVALID_REQUEST, `a ${current.type} operation sends no anomalies`, 'anomalies');
          }
          await this.anomalies.apply(manager, current.datastoreId, current.id, current.options.incrementalColumn ?? '', batch.value);
          return;
        default:
          throw new OperationError(OperationErrorCode.INVALID_REQUEST, 'the batch is empty', 'batch');
      }
    });
  }

  async finish(operationId: string, token: number, input: FinishInput): Promise<void> {
    const ended = this.ended(new OperationEntity(), input);
    if (await this.operations.endAttempt(operationId, token, ended)) return;
    // Not ended: say why (gone, already ended, stale token).
    await this.unitOfWork.run((manager) => this.fenced(operationId, token, manager));
    throw this.finished(Object.assign(new OperationEntity(), { id: operationId, status: 'running' }));
  }

  private ended(entity: OperationEntity, input: FinishInput): OperationEntity {
    return Object.assign(entity, {
      status: input.status,
      errorCode: input.status === 'success' ? null : input.errorCode || 'UNKNOWN',
      errorMessage: input.status === 'success' ? null : input.errorMessage.slice(0, 2_000),
      counts: input.counts,
      finishedAt: new Date(),
    });
  }

  private async lock(operationId: string, manager: EntityManager): Promise<OperationEntity> {
    const current = await this.operations.lockById(operationId, manager);
    if (!current) {
      throw new OperationError(OperationErrorCode.NOT_FOUND, `operation '${operationId}' does not exist`, 'operation_id');
    }
    if (TERMINAL_STATUSES.includes(current.status)) throw this.finished(current);
    return current;
  }

  private async fenced(operationId: string, token: number, manager: EntityManager): Promise<OperationEntity> {
    const current = await this.lock(operationId, manager);
    if (token !== current.attempt) {
      throw new OperationError(
        OperationErrorCode.STALE_FENCING_TOKEN,
        `fencing token ${token} is stale: operation '${operationId}' is on attempt ${current.attempt}`,
        'fencing_token',
      );
    }
    return current;
  }

  private finished(entity: OperationEntity): OperationError {
    return new OperationError(
      OperationErrorCode.ALREADY_FINISHED,
      `operation '${entity.id}' already ended (${entity.status})`,
      'operation_id',
    );
  }
}
