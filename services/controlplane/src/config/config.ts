import { z } from 'zod';

/** Controlplane settings, read once from the environment at start-up. */
const ConfigSchema = z.object({
  PLUMBLINE_DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/plumbline'),
  /** host:port the gRPC API listens on; port 0 picks a free one (logged). */
  PLUMBLINE_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  PLUMBLINE_DATAPLANE_ADDRESS: z.string().min(1).default('localhost:50052'),
  /** Budget for one connectivity check, end to end. */
  PLUMBLINE_TEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(300_000).default(15_000),
  /** How many datastores an edit re-verifies at once. */
  PLUMBLINE_VERIFY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Redis holding the operations queue (BullMQ). */
  PLUMBLINE_REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Queue name; distinct deployments (and test runs) sharing one Redis use distinct names. */
  PLUMBLINE_QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).default('plumbline-operations'),
  /**
   * How often queued operations are re-offered to the queue (idempotent: the
   * job id is the operation id), so a Redis that lost its data loses no work.
   */
  PLUMBLINE_REQUEUE_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(30_000),
  /**
   * A RUNNING operation not updated for this long has its job looked up in
   * Redis by the same pass: a lost job is offered again (the next attempt
   * fences off the old one), a job that failed every attempt ends the operation.
   */
  PLUMBLINE_STALE_RUNNING_MS: z.coerce.number().int().min(500).max(86_400_000).default(120_000),
  /** Apply pending migrations at start-up. */
  PLUMBLINE_MIGRATIONS_RUN: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

export type ControlplaneConfig = z.infer<typeof ConfigSchema>;
export const CONTROLPLANE_CONFIG = Symbol('CONTROLPLANE_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ControlplaneConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid controlplane configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
