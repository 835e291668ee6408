import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { NetworkPolicyError, NetworkPolicyErrorCode } from './network-policy.errors';

/** Environment variables read by {@link NetworkPolicy.fromEnv}. */
export const NETWORK_ALLOW_ENV = 'PLUMBLINE_NETWORK_ALLOW';
export const NETWORK_DENY_ENV = 'PLUMBLINE_NETWORK_DENY';

/**
 * Denied unless allowed: link-local (where every cloud's instance metadata
 * service lives, also through NAT64), Alibaba's metadata address and AWS's
 * IPv6 metadata address.
 * Loopback and private ranges stay reachable: data sources live there.
 */
export const DEFAULT_DENIED_RANGES: readonly string[] = [
  '169.254.0.0/16',
  'fe80::/10',
  '100.100.100.200/32',
  'fd00:ec2::254/128',
  // Link-local IPv4 reached through the NAT64 well-known prefix.
  '64:ff9b::a9fe:0/112',
];

/** Metadata service names, denied even before resolution (they may resolve only inside the cloud). */
export const DEFAULT_DENIED_HOSTNAMES: readonly string[] = ['metadata.google.internal', 'metadata', 'instance-data'];

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Resolves a host name to every address it has (like `dns.lookup` with `all: true`). */
export type Resolver = (hostname: string) => Promise<string[]>;

export interface NetworkPolicyOptions {
  /** CIDRs, addresses or host names allowed even when a deny rule matches. */
  readonly allow?: readonly string[];
  /** CIDRs, addresses or host names denied in addition to the defaults. */
  readonly deny?: readonly string[];
  /** Defaults to `dns.lookup(hostname, { all: true })`; tests plant answers here. */
  readonly resolve?: Resolver;
}

/** The callback shape `net.connect`'s `lookup` option calls back with. */
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** A `lookup` for `net.connect` / `tls.connect` (and undici's `connect` options). */
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

const defaultResolve: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** `[::1]` → `::1`; lower case; no trailing dot. */
function normalizeHost(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return unbracketed.toLowerCase().replace(/\.$/, '');
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** IPv4-mapped IPv6 (`::ffff:169.254.169.254`) is matched as the IPv4 address it carries. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  return ipaddr.process(address);
}

interface Rules {
  ranges: Range[];
  hostnames: Set<string>;
}

function parseRules(entries: readonly string[], source: string): Rules {
  const rules: Rules = { ranges: [], hostnames: new Set() };
  for (const [index, raw] of entries.entries()) {
    const entry = normalizeHost(raw.trim());
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      // A CIDR written as ::ffff:a.b.c.d/n also covers a.b.c.d/(n-96).
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        rules.ranges.push([(address as ipaddr.IPv6).toIPv4Address(), bits - 96]);
      }
      rules.ranges.push([address, bits]);
    } else if (ipaddr.isValid(entry)) {
      const address = parseAddress(entry);
      rules.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOSTNAME.test(entry)) {
      rules.hostnames.add(entry);
    } else {
      throw new NetworkPolicyError(
        NetworkPolicyErrorCode.INVALID_POLICY,
        source,
        `${source} entry ${index + 1} is not a CIDR, an IP address or a host name`,
      );
    }
  }
  return rules;
}

function inRanges(address: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly Range[]): Range | undefined {
  return ranges.find(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
}

/**
 * Where the controlplane (and, for connection hosts, the dataplane) may open
 * connections on a user's behalf. Everything is allowed except the deny rules;
 * an allow rule (CIDR, address or host name) wins over any deny rule.
 *
 * `check` resolves a host name to every address it has and refuses it when any
 * of them is denied. To close the gap between that check and the connection
 * (DNS rebinding), HTTP clients also pass {@link guardedLookup} as the socket's
 * `lookup`, which checks the addresses actually connected to.
 */
export class NetworkPolicy {
  private readonly allow: Rules;
  private readonly deny: Rules;
  private readonly resolve: Resolver;

  constructor(options: NetworkPolicyOptions = {}) {
    this.allow = parseRules(options.allow ?? [], NETWORK_ALLOW_ENV);
    const defaults = parseRules([...DEFAULT_DENIED_RANGES, ...DEFAULT_DENIED_HOSTNAMES], 'default deny list');
    const configured = parseRules(options.deny ?? [], NETWORK_DENY_ENV);
    this.deny = {
      ranges: [...defaults.ranges, ...configured.ranges],
      hostnames: new Set([...defaults.hostnames, ...configured.hostnames]),
    };
    this.resolve = options.resolve ?? defaultResolve;
  }

  /** Reads PLUMBLINE_NETWORK_ALLOW and PLUMBLINE_NETWORK_DENY (comma lists); throws INVALID_POLICY on a bad entry. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, resolve?: Resolver): NetworkPolicy {
    return new NetworkPolicy({
      allow: splitList(env[NETWORK_ALLOW_ENV]),
      deny: splitList(env[NETWORK_DENY_ENV]),
      ...(resolve ? { resolve } : {}),
    });
  }

  /**
   * Resolves when `target` (a URL such as `https://vault:8200/v1/...`, or a
   * bare host name or IP address) may be connected to. Throws
   * {@link NetworkPolicyError} naming `field`: INVALID_URL, UNRESOLVABLE_HOST,
   * or DENIED_ADDRESS when the host or any address it resolves to is denied.
   */
  async check(target: string, field: string): Promise<void> {
    const host = hostOf(target, field);
    if (this.allow.hostnames.has(host)) return;
    this.checkHostname(host, field);
    if (isIP(host)) {
      this.checkAddress(host, host, field);
      return;
    }
    let addresses: string[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw new NetworkPolicyError(NetworkPolicyErrorCode.UNRESOLVABLE_HOST, field, `${field}: host ${host} does not resolve`);
    }
    if (addresses.length === 0) {
      throw new NetworkPolicyError(NetworkPolicyErrorCode.UNRESOLVABLE_HOST, field, `${field}: host ${host} does not resolve`);
    }
    for (const address of addresses) this.checkAddress(host, address, field);
  }

  /**
   * A `lookup` for `net.connect`/`tls.connect` that resolves with this
   * policy's resolver and fails the connection with a {@link NetworkPolicyError}
   * when the name now resolves to a denied address.
   */
  guardedLookup(field: string): GuardedLookup {
    return (hostname, options, callback) => {
      const host = normalizeHost(hostname);
      const answer = async (): Promise<LookupAddress[]> => {
        const addresses = await this.resolve(host);
        if (!this.allow.hostnames.has(host)) {
          this.checkHostname(host, field);
          for (const address of addresses) this.checkAddress(host, address, field);
        }
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        const wanted = options.family === 4 || options.family === 6 ? entries.filter((e) => e.family === options.family) : entries;
        if (wanted.length === 0) throw Object.assign(new Error(`${host} has no address of the requested family`), { code: 'ENOTFOUND' });
        return wanted;
      };
      answer().then(
        (entries) => {
          if (options.all) callback(null, entries);
          else callback(null, (entries[0] as LookupAddress).address, (entries[0] as LookupAddress).family);
        },
        (error: NodeJS.ErrnoException) => callback(error, ''),
      );
    };
  }

  private checkHostname(host: string, field: string): void {
    if (this.deny.hostnames.has(host)) {
      throw new NetworkPolicyError(
        NetworkPolicyErrorCode.DENIED_ADDRESS,
        field,
        `${field}: host ${host} is denied by the network policy (add it to ${NETWORK_ALLOW_ENV} to allow it)`,
      );
    }
  }

  private checkAddress(host: string, address: string, field: string): void {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = parseAddress(address);
    } catch {
      throw new NetworkPolicyError(NetworkPolicyErrorCode.DENIED_ADDRESS, field, `${field}: host ${host} resolved to an unparseable address`);
    }
    if (inRanges(parsed, this.allow.ranges)) return;
    const denied = inRanges(parsed, this.deny.ranges);
    if (denied) {
      const shown = parsed.toString();
      const via = host === shown || host === address ? '' : ` (${host})`;
      throw new NetworkPolicyError(
        NetworkPolicyErrorCode.DENIED_ADDRESS,
        field,
        `${field}: address ${shown}${via} is in ${denied[0].toString()}/${denied[1]}, which the network policy denies ` +
          `(add it to ${NETWORK_ALLOW_ENV} to allow it)`,
      );
    }
  }
}

/** The normalized host of a URL (`scheme://...`) or of a bare host / IP literal. */
function hostOf(target: string, field: string): string {
  const invalid = (): NetworkPolicyError =>
    new NetworkPolicyError(NetworkPolicyErrorCode.INVALID_URL, field, `${field}: not a valid URL or host name`);
  const trimmed = target.trim();
  if (!trimmed) throw invalid();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw invalid();
    }
    const host = normalizeHost(url.hostname);
    if (!host) throw invalid();
    return host;
  }
  const host = normalizeHost(trimmed);
  if (isIP(host) || HOSTNAME.test(host)) return host;
  throw invalid();
}
