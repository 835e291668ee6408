import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { dataplane } from '@plumbline/proto';
import { errorCodeOf } from './errors';
import { passed, StepError, type StepContext, type StepOutcome } from './step-recorder';

const { TestErrorCode } = dataplane;

/**
 * Comma-separated `ip[:port]` list of DNS servers the dataplane asks instead of
 * the system resolver (a private zone only some resolvers know, tests).
 */
export const DNS_SERVERS_ENV = 'PLUMBLINE_DNS_SERVERS';

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;
const IPV6_WITH_PORT = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/;

/**
 * Parses a `PLUMBLINE_DNS_SERVERS` value into the forms `Resolver.setServers`
 * takes (`1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53`). Throws on anything else.
 */
export function parseDnsServers(value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const withPort = IPV4_WITH_PORT.exec(entry) ?? IPV6_WITH_PORT.exec(entry);
    const ip = withPort?.[1] ?? entry;
    const port = withPort?.[2] === undefined ? 53 : Number(withPort[2]);
    if (!isIP(ip) || port < 1 || port > 65535) {
      throw new Error(`${DNS_SERVERS_ENV} entry '${entry}' is not ip[:port]`);
    }
  }
  return entries;
}

/** The configured DNS servers, or undefined to use the system resolver (`dns.lookup`). */
export function configuredDnsServers(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = env[DNS_SERVERS_ENV]?.trim();
  return value ? parseDnsServers(value) : undefined;
}

export interface ResolvedHost {
  /** The address every later step connects to. */
  readonly ip: string;
  /** All addresses found, `ip` first. */
  readonly addresses: readonly string[];
}

const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'EAI_NONAME', 'ENONAME']);

function failure(host: string, resolverLabel: string, error: unknown): StepError {
  const code = errorCodeOf(error);
  if (code !== undefined && NOT_FOUND_CODES.has(code)) {
    return new StepError(
      TestErrorCode.DNS_FAILURE,
      `${host} does not resolve to an address (${resolverLabel})`,
      `check the host name for typos; if it is a private name, make sure ${resolverLabel} can resolve it`,
    );
  }
  return new StepError(
    TestErrorCode.DNS_FAILURE,
    `resolving ${host} failed: ${code ?? 'error'} (${resolverLabel})`,
    `the DNS server did not answer properly: check ${resolverLabel} from the dataplane's network`,
  );
}

async function resolveWithServers(host: string, servers: string[], context: StepContext): Promise<string[]> {
  // c-ares retries per server; keep the total within the remaining time.
  const timeout = Math.max(100, Math.min(5_000, Math.floor(context.remainingMs() / 2)));
  const resolver = new dns.Resolver({ timeout, tries: 1 });
  resolver.setServers(servers);
  const cancel = () => resolver.cancel();
  context.signal.addEventListener('abort', cancel, { once: true });
  try {
    try {
      const v4 = await resolver.resolve4(host);
      if (v4.length > 0) return v4;
    } catch (error) {
      if (!NOT_FOUND_CODES.has(errorCodeOf(error) ?? '')) throw error;
    }
    return await resolver.resolve6(host);
  } finally {
    context.signal.removeEventListener('abort', cancel);
  }
}

/**
 * DNS_RESOLVE: an IP literal needs no resolution. Otherwise `dns.lookup` (the
 * system resolver, /etc/hosts included), or the servers of
 * `PLUMBLINE_DNS_SERVERS` when set (A records, then AAAA). Later steps connect
 * to the first address; the host name is kept for TLS.
 */
export async function resolveHost(
  host: string,
  context: StepContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StepOutcome<ResolvedHost>> {
  if (isIP(host)) {
    return passed(`${host} is an IP address; nothing to resolve`, undefined, { ip: host, addresses: [host] });
  }
  let servers: string[] | undefined;
  try {
    servers = configuredDnsServers(env);
  } catch (error) {
    throw new StepError(
      TestErrorCode.INTERNAL,
      (error as Error).message,
      `fix ${DNS_SERVERS_ENV} in the dataplane's environment (comma-separated ip[:port])`,
    );
  }
  const resolverLabel = servers ? `DNS servers ${servers.join(', ')}` : "the dataplane's system resolver";
  let addresses: string[];
  try {
    addresses = servers
      ? await resolveWithServers(host, servers, context)
      : (await dns.lookup(host, { all: true })).map((entry) => entry.address);
  } catch (error) {
    throw failure(host, resolverLabel, error);
  }
  const [ip] = addresses;
  if (ip === undefined) throw failure(host, resolverLabel, Object.assign(new Error('no address'), { code: 'ENODATA' }));
  const more = addresses.length > 1 ? ` (+${addresses.length - 1} more)` : '';
  return passed(`${host} resolved to ${ip}${more} using ${resolverLabel}`, undefined, { ip, addresses });
}
