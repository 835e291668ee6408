import { createSocket } from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';

/** `host:port`, with IPv6 literals bracketed. */
export function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The local address this machine would use to reach `ip:port`: the address a
 * firewall or security group in front of the server must allow. A UDP socket's
 * `connect()` only asks the kernel to pick a route and source address; no
 * packet is sent. Undefined when there is no route.
 */
export async function sourceAddressFor(ip: string, port: number): Promise<string | undefined> {
  if (!isIP(ip)) return undefined;
  const socket = createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, ip, () => resolve());
    });
    return socket.address().address;
  } catch {
    return undefined;
  } finally {
    try {
      socket.close();
    } catch {
      // already closed after an error
    }
  }
}

/**
 * The server a check talks to: the host as configured (used in messages and
 * for TLS server name checks), the IP every step connects to (resolved once),
 * and the dataplane's source address for firewall hints.
 */
export class Endpoint {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly ip: string,
    readonly sourceAddress: string | undefined,
  ) {}

  static async resolved(host: string, port: number, ip: string): Promise<Endpoint> {
    return new Endpoint(host, port, ip, await sourceAddressFor(ip, port));
  }

  /** `db.example:5432`. */
  get label(): string {
    return hostPort(this.host, this.port);
  }

  /** `db.example:5432 (10.0.0.5)`, or just `10.0.0.5:5432` for an IP literal. */
  get described(): string {
    return this.host === this.ip ? this.label : `${this.label} (${this.ip})`;
  }

  /** "allow 10.1.2.3 → db.example:5432 in the firewall / security group". */
  get allowRule(): string {
    const from = this.sourceAddress ?? "this dataplane's address";
    return `allow ${from} → ${this.described} in the firewall / security group`;
  }
}
