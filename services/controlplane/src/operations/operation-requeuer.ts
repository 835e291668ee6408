import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { LOGGER } from '../logging/logger.provider';
import { OperationQueue } from './operation-queue';
import { OperationsRepository } from './operations.repository';

/**
 * PostgreSQL, not Redis, is the record of what must run. At start-up and then
 * periodically, each operation that should have a job is looked up in the
 * queue: a QUEUED operation, or a RUNNING one that has not been updated for
 * PLUMBLINE_STALE_RUNNING_MS. A missing job (Redis restarted without
 * persistence, a failover) is added again; a job that failed on every
 * attempt ends its operation as WORKER_FAILED instead of leaving it
 * unfinished for ever.
 */
const WORKER_FAILED_MESSAGE = 'its job failed on every attempt without finishing it; the dataplane logs say why';

@Injectable()
export class OperationRequeuer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(CONTROLPLANE_CONFIG) private readonly config: ControlplaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly operations: OperationsRepository,
    private readonly queue: OperationQueue,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.requeue()
        .catch((error: unknown) => this.logger.warn({ errorName: (error as Error).name }, 'requeue pass failed; retrying later'))
        .finally(() => {
          this.timer = setTimeout(tick, this.config.PLUMBLINE_REQUEUE_INTERVAL_MS);
          this.timer.unref();
        });
    };
    tick();
  }

  async requeue(): Promise<{ offered: number; failed: number }> {
    const ids = await this.operations.unfinishedIds(new Date(Date.now() - this.config.PLUMBLINE_STALE_RUNNING_MS));
    const outcome = { offered: 0, failed: 0 };
    for (const id of ids) {
      const state = await this.queue.jobState(id);
      if (state === 'missing') {
        await this.queue.enqueue(id);
        outcome.offered += 1;
      } else if (state === 'failed' && (await this.operations.endUnfinished(id, { status: 'failure', errorCode: 'WORKER_FAILED', errorMessage: WORKER_FAILED_MESSAGE }))) {
        outcome.failed += 1;
      }
    }
    if (outcome.offered > 0) this.logger.info({ count: outcome.offered }, 'operations whose job was missing offered to the queue again');
    if (outcome.failed > 0) this.logger.warn({ count: outcome.failed }, 'operations whose job failed on every attempt ended as WORKER_FAILED');
    return outcome;
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
