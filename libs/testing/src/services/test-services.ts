import { Socket } from 'node:net';
import { configuredUrl, DEFAULT_URLS, dockerEngineReachable, envNameOf, type ServiceName } from './service-urls';

function reachable(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => done(true));
  });
}

const started = new Map<ServiceName, Promise<string>>();

async function startContainer(service: ServiceName): Promise<string> {
  // Loaded lazily: most runs (CI, dev machines) never need Docker.
  switch (service) {
    case 'postgres': {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:15').withUsername('postgres').withPassword('postgres').start();
      return container.getConnectionUri();
    }
    case 'mysql': {
      const { MariaDbContainer } = await import('@testcontainers/mariadb');
      const container = await new MariaDbContainer('mariadb:10.11').withRootPassword('').start();
      return `mysql://root@${container.getHost()}:${container.getPort()}/mysql`;
    }
    case 'redis': {
      const { RedisContainer } = await import('@testcontainers/redis');
      const container = await new RedisContainer('redis:7').start();
      return container.getConnectionUrl();
    }
  }
}

/**
 * The URL of a real server for `service`: from the environment, else the local
 * default, else (Docker engine present) a testcontainer. Fails with a message
 * that says how to start the local server.
 */
export async function serviceUrl(service: ServiceName): Promise<string> {
  const configured = configuredUrl(service);
  if (configured) return configured;
  if (await reachable(DEFAULT_URLS[service])) return DEFAULT_URLS[service];
  if (dockerEngineReachable()) {
    let pending = started.get(service);
    if (!pending) {
      pending = startContainer(service);
      started.set(service, pending);
    }
    return pending;
  }
  throw new Error(
    `no ${service} server: set ${envNameOf(service)} or start the local server (see .ci/run), ` +
      `no Docker engine is reachable for testcontainers`,
  );
}
