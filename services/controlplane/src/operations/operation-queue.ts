import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { OperationJob, redisOptionsFromUrl, type OperationJobPayload } from '@plumbline/common';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';

/** The BullMQ side of operations: the only code that writes to Redis. */
@Injectable()
export class OperationQueue implements OnApplicationShutdown {
  private readonly queue: Queue<OperationJobPayload, void, OperationJob>;

  constructor(@Inject(CONTROLPLANE_CONFIG) config: ControlplaneConfig) {
    this.queue = new Queue(config.PLUMBLINE_QUEUE_NAME, {
      // Fail an enqueue fast while Redis is down instead of holding the caller.
      connection: { ...redisOptionsFromUrl(config.PLUMBLINE_REDIS_URL), maxRetriesPerRequest: 2, enableOfflineQueue: false },
    });
    this.queue.on('error', () => undefined);
  }

  /** Idempotent: jobId = operationId. Retries with backoff if a worker fails or dies. */
  async enqueue(operationId: string): Promise<void> {
    await this.queue.add(
      OperationJob.RUN,
      { operationId },
      {
        jobId: operationId,
        attempts: 3,
        backoff: { type: 'exponential', delay: 1_000 },
        // PostgreSQL keeps the record of every operation; a finished job has nothing left to say.
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
  }

  /**
   * Where the operation's job is: `missing` (never added, or lost with Redis's
   * data), `failed` (every attempt failed), or `pending` (waiting, delayed or
   * running; a completed job is removed at once).
   */
  async jobState(operationId: string): Promise<'missing' | 'failed' | 'pending'> {
    const state = await this.queue.getJobState(operationId);
    if (state === 'unknown') return 'missing';
    return state === 'failed' ? 'failed' : 'pending';
  }

  /** Removes a job that no worker took yet; false when it is already running or gone. */
  async removeWaiting(operationId: string): Promise<boolean> {
    const job = await this.queue.getJob(operationId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    await job.remove();
    return true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
