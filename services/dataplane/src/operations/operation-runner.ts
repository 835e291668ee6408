import { hostname } from 'node:os';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { channelCredentials, createClient, isServiceError, type TlsConfig } from '@plumbline/grpc';
import { controlplane, dataplane } from '@plumbline/proto';
import { DATAPLANE_CONFIG, type DataplaneConfig } from '../config/config';
import { OperationError } from '../connectors/operations/errors';
import { parseContainerId } from '../connectors/operations/identity';
import type { Progress } from '../connectors/operations/types';
import { fromCheck, toCheck, toFieldProfile } from './profile-messages';
import { findConnector } from '../connectors/registry';
import { TLS_CONFIG } from '../grpc/tls.provider';
import { LOGGER } from '../logging/logger.provider';

/** Calls `report` at most every PROGRESS_INTERVAL_MS, with the latest progress; errors are not fatal. */
const PROGRESS_INTERVAL_MS = 500;
function throttled(report: (progress: Progress) => Promise<void>): (progress: Progress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS && progress.completed < progress.total) return;
    last = now;
    void report(progress).catch(() => undefined);
  };
}

/** A sample row's key columns as strings (SQL NULL keys left out). */
function nonNull(key: Readonly<Record<string, string | null>>): Record<string, string> {
  return Object.fromEntries(Object.entries(key).filter((entry): entry is [string, string] => entry[1] !== null));
}

/** How a job ended, for the queue: done (never retry) or retry later. */
export type RunOutcome = 'done' | 'retry';

/**
 * Runs one queued operation: lease it from the controlplane (which returns the
 * decrypted target and a fencing token), do the work, report, finish. The
 * target lives in this call's memory only.
 */
@Injectable()
export class OperationRunner implements OnModuleDestroy {
  private readonly broker;
  private readonly workerId = `${hostname()}:${process.pid}`;

  constructor(
    @Inject(DATAPLANE_CONFIG) private readonly config: DataplaneConfig,
    @Inject(TLS_CONFIG) tls: TlsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.broker = createClient(
      controlplane.OperationBrokerService,
      config.PLUMBLINE_CONTROLPLANE_ADDRESS,
      channelCredentials(tls),
    );
  }

  async run(operationId: string): Promise<RunOutcome> {
    let lease: controlplane.StartOperationResponse;
    try {
      lease = await this.broker.startOperation({ operationId, workerId: this.workerId }, { timeoutMs: 30_000 });
    } catch (error) {
      // Ended, aborted, gone, or its credentials do not resolve: nothing for a retry to do.
      if (isServiceError(error) && [grpc.status.FAILED_PRECONDITION, grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT].includes(error.code)) {
        this.logger.info({ operationId, code: grpc.status[error.code] }, 'operation not started');
        return 'done';
      }
      throw error;
    }
    const token = lease.fencingToken;
    this.logger.info({ operationId, attempt: token, type: controlplane.OperationType[lease.type] }, 'operation started');
    // An abort before this point is refused by StartOperation itself; longer operations
    // learn of one from each progress report.
    switch (lease.type) {
      case controlplane.OperationType.TEST_CONNECTION:
        return this.testConnection(operationId, token, lease.target);
      case controlplane.OperationType.SYNC:
        return this.sync(operationId, token, lease.target);
      case controlplane.OperationType.PROFILE:
        return this.profile(operationId, token, lease.target, lease.options);
      case controlplane.OperationType.SCAN:
        return this.scan(operationId, token, lease);
      default:
        return this.finish(
          operationId,
          token,
          controlplane.OperationStatus.FAILURE,
          'NOT_IMPLEMENTED',
          `${controlplane.OperationType[lease.type]} operations are not implemented by this dataplane`,
        );
    }
  }

  private async testConnection(
    operationId: string,
    token: number,
    target: dataplane.ConnectionTarget | undefined,
  ): Promise<RunOutcome> {
    const connector = target ? findConnector(target.connector) : undefined;
    if (!target || !connector) {
      return this.finish(operationId, token, controlplane.OperationStatus.FAILURE, 'NOT_IMPLEMENTED', `connector '${target?.connector ?? ''}' has no driver in this dataplane`);
    }
    const result = await connector.test(
      { connector: target.connector, authMethod: target.authMethod, properties: target.properties, scope: target.scope },
      { deadline: Date.now() + this.config.PLUMBLINE_TEST_TIMEOUT_MS },
    );
    return result.ok
      ? this.finish(operationId, token, controlplane.OperationStatus.SUCCESS, '', '')
      : this.finish(operationId, token, controlplane.OperationStatus.FAILURE, dataplane.TestErrorCode[result.errorCode], result.summary);
  }

  /** Reads the catalog in the data source and hands it to the controlplane in one batch. */
  private async sync(operationId: string, token: number, target: dataplane.ConnectionTarget | undefined): Promise<RunOutcome> {
    const connector = target ? findConnector(target.connector) : undefined;
    if (!target || !connector) {
      return this.finish(operationId, token, controlplane.OperationStatus.FAILURE, 'NOT_IMPLEMENTED', `connector '${target?.connector ?? ''}' has no driver in this dataplane`);
    }
    const abort = new AbortController();
    const progress = throttled(async (p: Progress) => {
      const answer = await this.broker.reportProgress({
        operationId,
        fencingToken: token,
        done: BigInt(p.completed),
        total: BigInt(p.total),
        message: p.message,
      });
      if (answer.abort) abort.abort(new Error('aborted'));
    });
    let result;
    try {
      result = await connector.sync(
        { connector: target.connector, authMethod: target.authMethod, properties: target.properties, scope: target.scope },
        { deadline: Date.now() + this.config.PLUMBLINE_OPERATION_TIMEOUT_MS, signal: abort.signal, progress },
      );
    } catch (error) {
      if (abort.signal.aborted) return this.finish(operationId, token, controlplane.OperationStatus.ABORTED, 'ABORTED', 'aborted');
      // Connector errors carry vetted, secret-free messages; anything else is reported by class.
      const known = error instanceof OperationError;
      return this.finish(
        operationId,
        token,
        controlplane.OperationStatus.FAILURE,
        known ? error.code : 'INTERNAL',
        known ? error.message : `sync failed (${(error as Error).name})`,
      );
    }
    const containers = result.containers.map((container) => ({
      name: container.id,
      kind: container.kind,
      fields: container.fields.map((field) => ({
        name: field.name,
        ordinal: field.ordinal,
        declaredType: field.declaredType,
        normalizedType: field.type,
        nullable: field.nullable,
        primaryKey: field.primaryKey,
        unique: field.unique,
        foreignKey: field.foreignKey,
      })),
    }));
    await this.broker.submitResults({ operationId, fencingToken: token, sequence: 1, batch: { case: 'catalog', value: { containers, complete: true } } });
    const fields = containers.reduce((sum, container) => sum + container.fields.length, 0);
    return this.finish(operationId, token, controlplane.OperationStatus.SUCCESS, '', '', { containers: containers.length, fields });
  }

  /** Profiles each container inside the data source, one batch of results per container. */
  private async profile(
    operationId: string,
    token: number,
    target: dataplane.ConnectionTarget | undefined,
    options: controlplane.OperationOptions | undefined,
  ): Promise<RunOutcome> {
    const connector = target ? findConnector(target.connector) : undefined;
    if (!target || !connector) {
      return this.finish(operationId, token, controlplane.OperationStatus.FAILURE, 'NOT_IMPLEMENTED', `connector '${target?.connector ?? ''}' has no driver in this dataplane`);
    }
    const containers = options?.containers ?? [];
    if (containers.length === 0) {
      return this.finish(operationId, token, controlplane.OperationStatus.FAILURE, 'NOTHING_TO_PROFILE', 'no containers: run a sync first, or name containers');
    }
    const abort = new AbortController();
    const deadline = Date.now() + this.config.PLUMBLINE_OPERATION_TIMEOUT_MS;
    let fields = 0;
    let checks = 0;
    try {
      for (const [index, container] of containers.entries()) {
        const result = await connector.profile(
          { connector: target.connector, authMethod: target.authMethod, properties: target.properties, scope: target.scope },
          {
            container: parseContainerId(container).name,
            ...(options?.sampleFraction ? { sampleFraction: options.sampleFraction } : {}),
            ...(options?.recordLimit ? { recordLimit: Number(options.recordLimit) } : {}),
            inferenceLevel: Math.min(2, options?.inferenceLevel ?? 1) as 0 | 1 | 2,
          },
          { deadline, signal: abort.signal },
        );
        const sampled = result.sampleFraction !== null || result.recordLimit !== null;
        await this.broker.submitResults({
          operationId,
          fencingToken: token,
          sequence: index + 1,
          batch: {
            case: 'profiles',
            value: {
              profiles: result.fields.map((field) => toFieldProfile(container, field, sampled)),
              inferredChecks: result.checks.map((check) => toCheck(container, check)),
            },
          },
        });
        fields += result.fields.length;
        checks += result.checks.length;
        const { abort: aborted } = await this.broker.reportProgress({
          operationId,
          fencingToken: token,
          done: BigInt(index + 1),
          total: BigInt(containers.length),
          message: `profiled ${container}`,
        });
        if (aborted) {
          return this.finish(operationId, token, controlplane.OperationStatus.ABORTED, 'ABORTED', `aborted after ${index + 1} of ${containers.length} containers`);
        }
      }
    } catch (error) {
      const known = error instanceof OperationError;
      return this.finish(
        operationId,
        token,
        controlplane.OperationStatus.FAILURE,
        known ? error.code : 'INTERNAL',
        known ? error.message : `profile failed (${(error as Error).name})`,
      );
    }
    return this.finish(operationId, token, controlplane.OperationStatus.SUCCESS, '', '', { containers: containers.length, fields, checks });
  }

  /** Evaluates the stored checks as queries in the data source; only violations travel back. */
  private async scan(operationId: string, token: number, lease: controlplane.StartOperationResponse): Promise<RunOutcome> {
    const { target, options } = lease;
    const connector = target ? findConnector(target.connector) : undefined;
    if (!target || !connector) {
      return this.finish(operationId, token, controlplane.OperationStatus.FAILURE, 'NOT_IMPLEMENTED', `connector '${target?.connector ?? ''}' has no driver in this dataplane`);
    }
    const containers = (options?.containers ?? []).filter((container) => lease.checks.some((check) => check.container === container));
    const deadline = Date.now() + this.config.PLUMBLINE_OPERATION_TIMEOUT_MS;
    const column = options?.incrementalColumn ?? '';
    let anomalies = 0;
    let rows = 0;
    try {
      for (const [index, container] of containers.entries()) {
        const checks = lease.checks
          .filter((check) => check.container === container)
          .map(fromCheck)
          .filter((check) => check !== undefined);
        const result = await connector.scan(
          { connector: target.connector, authMethod: target.authMethod, properties: target.properties, scope: target.scope },
          {
            container: parseContainerId(container).name,
            checks,
            ...(column ? { incremental: { column, after: lease.highWaterMarks[container] ?? '' } } : {}),
            sampleLimit: options?.anomalySampleLimit || 10,
          },
          { deadline },
        );
        const violated = result.outcomes.filter((outcome) => outcome.violations > 0);
        await this.broker.submitResults({
          operationId,
          fencingToken: token,
          sequence: index + 1,
          batch: {
            case: 'anomalies',
            value: {
              anomalies: violated.map((outcome) => ({
                checkKey: outcome.key,
                container,
                violatingCount: BigInt(outcome.violations),
                sample: outcome.sample.map((row) => ({
                  values: { ...nonNull(row.key), $value: row.value ?? '' },
                })),
              })),
              highWaterMarks: result.highWaterMark === null ? {} : { [container]: result.highWaterMark },
            },
          },
        });
        anomalies += violated.length;
        rows += result.scannedRows;
        const { abort } = await this.broker.reportProgress({
          operationId,
          fencingToken: token,
          done: BigInt(index + 1),
          total: BigInt(containers.length),
          message: `scanned ${container}`,
        });
        if (abort) {
          return this.finish(operationId, token, controlplane.OperationStatus.ABORTED, 'ABORTED', `aborted after ${index + 1} of ${containers.length} containers`);
        }
      }
    } catch (error) {
      const known = error instanceof OperationError;
      return this.finish(
        operationId,
        token,
        controlplane.OperationStatus.FAILURE,
        known ? error.code : 'INTERNAL',
        known ? error.message : `scan failed (${(error as Error).name})`,
      );
    }
    return this.finish(operationId, token, controlplane.OperationStatus.SUCCESS, '', '', {
      containers: containers.length,
      checks: lease.checks.length,
      anomalies,
      rows,
    });
  }

  private async finish(
    operationId: string,
    token: number,
    status: controlplane.OperationStatus,
    code: string,
    message: string,
    counts: { containers?: number; fields?: number; checks?: number; anomalies?: number; rows?: number } = {},
  ): Promise<RunOutcome> {
    await this.broker.finishOperation({
      operationId,
      fencingToken: token,
      status,
      error: { code, message },
      counts: { ...counts, rows: BigInt(counts.rows ?? 0) },
    });
    this.logger.info({ operationId, attempt: token, status: controlplane.OperationStatus[status], code }, 'operation finished');
    return 'done';
  }

  onModuleDestroy(): void {
    this.broker.close();
  }
}
