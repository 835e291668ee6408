import { existsSync } from 'node:fs';

/**
 * Where the tests find PostgreSQL, MariaDB and Redis. An environment URL wins;
 * without one, the local servers of the dev/CI machine are used. Only when no
 * URL is given AND `PLUMBLINE_TEST_USE_CONTAINERS=true` or nothing listens
 * locally and a Docker engine is reachable do we fall back to testcontainers.
 */
export const DEFAULT_URLS = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: 'mysql://root@127.0.0.1:3306/mysql',
  redis: 'redis://127.0.0.1:6379',
} as const;

export type ServiceName = keyof typeof DEFAULT_URLS;

const ENV_NAMES: Record<ServiceName, string> = {
  postgres: 'PLUMBLINE_TEST_POSTGRES_URL',
  mysql: 'PLUMBLINE_TEST_MYSQL_URL',
  redis: 'PLUMBLINE_TEST_REDIS_URL',
};

export function dockerEngineReachable(): boolean {
  const host = process.env.DOCKER_HOST;
  if (host) return true;
  return existsSync('/var/run/docker.sock');
}

export function configuredUrl(service: ServiceName): string | undefined {
  return process.env[ENV_NAMES[service]] || undefined;
}

export function envNameOf(service: ServiceName): string {
  return ENV_NAMES[service];
}
