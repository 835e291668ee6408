import { hostname } from 'node:os';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { channelCredentials, createClient, isServiceError, type TlsConfig } from '@plumbline/grpc';
import { controlplane, dataplane } from '@plumbline/proto';
import { DATAPLANE_CONFIG, type DataplaneConfig } from '../config/config';
import type { Connector, ConnectorTarget } from '../connectors/connector';
import { OperationError } from '../connectors/operations/errors';
import { parseContainerId } from '../connectors/operations/identity';
import type { Progress } from '../connectors/operations/types';
import { findConnector } from '../connectors/registry';
import { TLS_CONFIG } from '../grpc/tls.provider';
import { LOGGER } from '../logging/logger.provider';
import { fromCheck, toCheck, toFieldProfile } from './profile-messages';

const { OperationStatus, OperationType } = controlplane;

/** Progress of a long single step (a sync) goes to the broker at most this often. */
const PROGRESS_INTERVAL_MS = 500;

/** How a job ended, for the queue: done (never retry) or retry later. */
export type RunOutcome = 'done' | 'retry';

type Counts = { containers?: number; fields?: number; checks?: number; anomalies?: number; rows?: number };

/** One leased attempt: what every step needs. The target holds decrypted secrets. */
interface Attempt {
  readonly operationId: string;
  readonly token: number;
  readonly connector: Connector;
  readonly target: ConnectorTarget;
  readonly options: controlplane.OperationOptions | undefined;
  readonly deadline: number;
}

/** A sample row's key columns as strings (SQL NULL keys left out). */
function nonNull(key: Readonly<Record<string, string | null>>): Record<string, string> {
  return Object.fromEntries(Object.entries(key).filter((entry): entry is [string, string] => entry[1] !== null));
}

/**
 * Runs one queued operation: lease it from the controlplane (which returns the
 * decrypted target and a fencing token), do the work in the data source,
 * submit results, finish. The target lives in this call's memory only.
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
    this.broker = createClient(controlplane.OperationBrokerService, config.PLUMBLINE_CONTROLPLANE_ADDRESS, channelCredentials(tls));
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
    this.logger.info({ operationId, attempt: token, type: OperationType[lease.type] }, 'operation started');
    const connector = lease.target ? findConnector(lease.target.connector) : undefined;
    if (!lease.target || !connector) {
      return this.finish(operationId, token, OperationStatus.FAILURE, {
        code: 'NOT_IMPLEMENTED',
        message: `connector '${lease.target?.connector ?? ''}' has no driver in this dataplane`,
      });
    }
    const { connector: id, authMethod, properties, scope } = lease.target;
    const isTest = lease.type === OperationType.TEST_CONNECTION;
    const attempt: Attempt = {
      operationId,
      token,
      connector,
      target: { connector: id, authMethod, properties, scope },
      options: lease.options,
      deadline: Date.now() + (isTest ? this.config.PLUMBLINE_TEST_TIMEOUT_MS : this.config.PLUMBLINE_OPERATION_TIMEOUT_MS),
    };
    // An abort before this point is refused by StartOperation; longer operations learn of one at each progress report.
    try {
      switch (lease.type) {
        case OperationType.TEST_CONNECTION:
          return await this.testConnection(attempt);
        case OperationType.SYNC:
          return await this.sync(attempt);
        case OperationType.PROFILE:
          return await this.profile(attempt);
        case OperationType.SCAN:
          return await this.scan(attempt, lease);
        default:
          return await this.finish(operationId, token, OperationStatus.FAILURE, {
            code: 'NOT_IMPLEMENTED',
            message: `${OperationType[lease.type]} operations are not implemented by this dataplane`,
          });
      }
    } catch (error) {
      // Connector errors carry vetted, secret-free messages; anything else is reported by class only.
      if (!(error instanceof OperationError) && isServiceError(error)) throw error; // the broker: retry the job
      const known = error instanceof OperationError;
      return this.finish(operationId, token, known && error.code === 'ABORTED' ? OperationStatus.ABORTED : OperationStatus.FAILURE, {
        code: known ? error.code : 'INTERNAL',
        message: known ? error.message : `${OperationType[lease.type]?.toLowerCase()} failed (${(error as Error).name})`,
      });
    }
  }

  private async testConnection(attempt: Attempt): Promise<RunOutcome> {
    const result = await attempt.connector.test(attempt.target, { deadline: attempt.deadline });
    return result.ok
      ? this.finish(attempt.operationId, attempt.token, OperationStatus.SUCCESS)
      : this.finish(attempt.operationId, attempt.token, OperationStatus.FAILURE, {
          code: dataplane.TestErrorCode[result.errorCode],
          message: result.summary,
        });
  }

  /** Reads the catalog in the data source and hands it to the controlplane in one batch. */
  private async sync(attempt: Attempt): Promise<RunOutcome> {
    const abort = new AbortController();
    let last = 0;
    const progress = (p: Progress) => {
      if (Date.now() - last < PROGRESS_INTERVAL_MS && p.completed < p.total) return;
      last = Date.now();
      void this.report(attempt, p.completed, p.total, p.message)
        .then((aborted) => aborted && abort.abort(new Error('aborted')))
        .catch(() => undefined);
    };
    const result = await attempt.connector.sync(attempt.target, { deadline: attempt.deadline, signal: abort.signal, progress });
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
    await this.broker.submitResults({
      operationId: attempt.operationId,
      fencingToken: attempt.token,
      sequence: 1,
      batch: { case: 'catalog', value: { containers, complete: true } },
    });
    const fields = containers.reduce((sum, container) => sum + container.fields.length, 0);
    return this.finish(attempt.operationId, attempt.token, OperationStatus.SUCCESS, undefined, { containers: containers.length, fields });
  }

  /** Profiles each container inside the data source, one batch of results per container. */
  private async profile(attempt: Attempt): Promise<RunOutcome> {
    const { options } = attempt;
    if (!options?.containers.length) {
      return this.finish(attempt.operationId, attempt.token, OperationStatus.FAILURE, {
        code: 'NOTHING_TO_PROFILE',
        message: 'no containers: run a sync first, or name the containers',
      });
    }
    const counts = { containers: 0, fields: 0, checks: 0 };
    return this.perContainer(attempt, options.containers, 'profiled', counts, async (container, sequence) => {
      const result = await attempt.connector.profile(
        attempt.target,
        {
          container: parseContainerId(container).name,
          ...(options?.sampleFraction ? { sampleFraction: options.sampleFraction } : {}),
          ...(options?.recordLimit ? { recordLimit: Number(options.recordLimit) } : {}),
          inferenceLevel: Math.min(2, options?.inferenceLevel ?? 1) as 0 | 1 | 2,
        },
        { deadline: attempt.deadline },
      );
      const sampled = result.sampleFraction !== null || result.recordLimit !== null;
      await this.broker.submitResults({
        operationId: attempt.operationId,
        fencingToken: attempt.token,
        sequence,
        batch: {
          case: 'profiles',
          value: {
            profiles: result.fields.map((field) => toFieldProfile(container, field, sampled)),
            inferredChecks: result.checks.map((check) => toCheck(container, check)),
          },
        },
      });
      counts.fields += result.fields.length;
      counts.checks += result.checks.length;
    });
  }

  /** Evaluates the stored checks as queries in the data source; only violations travel back. */
  private async scan(attempt: Attempt, lease: controlplane.StartOperationResponse): Promise<RunOutcome> {
    const { options } = attempt;
    const column = options?.incrementalColumn ?? '';
    const containers = (options?.containers ?? []).filter((container) => lease.checks.some((check) => check.container === container));
    const counts = { containers: 0, checks: lease.checks.length, anomalies: 0, rows: 0 };
    return this.perContainer(attempt, containers, 'scanned', counts, async (container, sequence) => {
      const checks = lease.checks
        .filter((check) => check.container === container)
        .map(fromCheck)
        .filter((check) => check !== undefined);
      const result = await attempt.connector.scan(
        attempt.target,
        {
          container: parseContainerId(container).name,
          checks,
          ...(column ? { incremental: { column, after: lease.highWaterMarks[container] ?? '' } } : {}),
          sampleLimit: options?.anomalySampleLimit || 10,
        },
        { deadline: attempt.deadline },
      );
      const violated = result.outcomes.filter((outcome) => outcome.violations > 0);
      await this.broker.submitResults({
        operationId: attempt.operationId,
        fencingToken: attempt.token,
        sequence,
        batch: {
          case: 'anomalies',
          value: {
            anomalies: violated.map((outcome) => ({
              checkKey: outcome.key,
              container,
              violatingCount: BigInt(outcome.violations),
              sample: outcome.sample.map((row) => ({ values: { ...nonNull(row.key), $value: row.value ?? '' } })),
            })),
            highWaterMarks: result.highWaterMark === null ? {} : { [container]: result.highWaterMark },
          },
        },
      });
      counts.anomalies += violated.length;
      counts.rows += result.scannedRows;
    });
  }

  /**
   * Works through `containers` one at a time, reporting progress after each;
   * an abort stops it there, within one container of the request.
   */
  private async perContainer(
    attempt: Attempt,
    containers: readonly string[],
    verb: string,
    counts: Counts,
    work: (container: string, sequence: number) => Promise<void>,
  ): Promise<RunOutcome> {
    for (const [index, container] of containers.entries()) {
      await work(container, index + 1);
      counts.containers = index + 1;
      if (await this.report(attempt, index + 1, containers.length, `${verb} ${container}`)) {
        return this.finish(attempt.operationId, attempt.token, OperationStatus.ABORTED, {
          code: 'ABORTED',
          message: `aborted after ${index + 1} of ${containers.length} containers`,
        }, counts);
      }
    }
    return this.finish(attempt.operationId, attempt.token, OperationStatus.SUCCESS, undefined, counts);
  }

  /** Reports progress; true when the operation was aborted meanwhile. */
  private async report(attempt: Attempt, done: number, total: number, message: string): Promise<boolean> {
    const { abort } = await this.broker.reportProgress({
      operationId: attempt.operationId,
      fencingToken: attempt.token,
      done: BigInt(done),
      total: BigInt(total),
      message,
    });
    return abort;
  }

  private async finish(
    operationId: string,
    token: number,
    status: controlplane.OperationStatus,
    error: { code: string; message: string } = { code: '', message: '' },
    counts: Counts = {},
  ): Promise<RunOutcome> {
    await this.broker.finishOperation({
      operationId,
      fencingToken: token,
      status,
      error,
      counts: { ...counts, rows: BigInt(counts.rows ?? 0) },
    });
    this.logger.info({ operationId, attempt: token, status: OperationStatus[status], code: error.code }, 'operation finished');
    return 'done';
  }

  onModuleDestroy(): void {
    this.broker.close();
  }
}
