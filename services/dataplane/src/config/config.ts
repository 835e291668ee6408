import { z } from 'zod';

/** Dataplane settings, read once from the environment at start-up. It stores nothing. */
const ConfigSchema = z.object({
  /** host:port the DataplaneService listens on; port 0 picks a free one (logged). */
  PLUMBLINE_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50052'),
  /** Budget for a connectivity check when the caller sends none. */
  PLUMBLINE_TEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(300_000).default(15_000),
  /** Budget of one sync / profile / scan. */
  PLUMBLINE_OPERATION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(3_600_000),
  /** Where the controlplane's OperationBrokerService listens (by name: TLS verifies it). */
  PLUMBLINE_CONTROLPLANE_ADDRESS: z.string().min(1).default('localhost:50051'),
  /** Redis holding the operations queue (BullMQ). */
  PLUMBLINE_REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  PLUMBLINE_QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).default('plumbline-operations'),
  /** Operations this process runs at once. */
  PLUMBLINE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long a worker's claim on a job lasts without renewal: a worker that
   * died is noticed after this, and its job runs again elsewhere as a new attempt.
   */
  PLUMBLINE_WORKER_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Take jobs from the queue; false runs the gRPC service only. */
  PLUMBLINE_WORKER_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

export type DataplaneConfig = z.infer<typeof ConfigSchema>;
export const DATAPLANE_CONFIG = Symbol('DATAPLANE_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DataplaneConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid dataplane configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
