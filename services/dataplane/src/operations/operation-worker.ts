import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { OperationJob, redisOptionsFromUrl, type OperationJobPayload } from '@plumbline/common';
import { DATAPLANE_CONFIG, type DataplaneConfig } from '../config/config';
import { LOGGER } from '../logging/logger.provider';
import { OperationRunner } from './operation-runner';

/** Takes operation jobs from the queue; the job is only an id, the runner does the rest. */
@Injectable()
export class OperationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<OperationJobPayload, void, OperationJob>;

  constructor(
    @Inject(DATAPLANE_CONFIG) private readonly config: DataplaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly runner: OperationRunner,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.PLUMBLINE_WORKER_ENABLED) return;
    this.worker = new Worker<OperationJobPayload, void, OperationJob>(
      this.config.PLUMBLINE_QUEUE_NAME,
      async (job) => {
        if (job.name !== OperationJob.RUN) throw new Error(`no handler for job '${job.name}'`);
        await this.runner.run(job.data.operationId);
      },
      {
        connection: { ...redisOptionsFromUrl(this.config.PLUMBLINE_REDIS_URL), maxRetriesPerRequest: null },
        concurrency: this.config.PLUMBLINE_WORKER_CONCURRENCY,
        lockDuration: this.config.PLUMBLINE_WORKER_LOCK_MS,
        stalledInterval: Math.max(500, Math.floor(this.config.PLUMBLINE_WORKER_LOCK_MS / 2)),
      },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ operationId: job?.data.operationId, attempt: job?.attemptsMade, errorName: error.name }, 'operation job failed'),
    );
    this.worker.on('error', (error) => this.logger.warn({ errorName: error.name }, 'queue connection problem'));
    this.logger.info(
      { queue: this.config.PLUMBLINE_QUEUE_NAME, concurrency: this.config.PLUMBLINE_WORKER_CONCURRENCY },
      'operation worker started',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
