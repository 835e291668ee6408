import { z } from 'zod';

/** Dataplane settings, read once from the environment at start-up. It stores nothing. */
const ConfigSchema = z.object({
  /** host:port the DataplaneService listens on; port 0 picks a free one (logged). */
  PLUMBLINE_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50052'),
  /** Budget for a connectivity check when the caller sends none. */
  PLUMBLINE_TEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(300_000).default(15_000),
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
