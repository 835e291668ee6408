import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { LOGGER } from '../logging/logger.provider';
import { OperationQueue } from './operation-queue';
import { OperationsRepository } from './operations.repository';

/**
 * PostgreSQL, not Redis, is the record of what must run. At start-up and then
 * periodically, every QUEUED operation is offered to the queue again; adding a
 * job whose id exists is a no-op, so this only brings back jobs that Redis
 * lost (a restart without persistence, a failover).
 */
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

  async requeue(): Promise<number> {
    const ids = await this.operations.queuedIds();
    for (const id of ids) await this.queue.enqueue(id);
    if (ids.length > 0) this.logger.debug({ count: ids.length }, 'queued operations offered to the queue');
    return ids.length;
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
