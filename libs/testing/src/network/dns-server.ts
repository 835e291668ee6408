import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import * as dnsPacket from 'dns-packet';

/** Low 4 bits of the DNS header flags. */
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;

export interface TestDnsServer {
  /** `127.0.0.1:<port>`: the form `PLUMBLINE_DNS_SERVERS` takes. */
  readonly address: string;
  readonly port: number;
  /** Every question asked, as `<TYPE> <name>`, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP) for tests: A and AAAA
 * records from `records` (name → address or addresses; IPv4 ones answer A,
 * IPv6 ones AAAA), NOERROR with no answer for a known name without that type,
 * NXDOMAIN for any other name. Nothing leaves loopback.
 */
export async function startDnsServer(records: Readonly<Record<string, string | readonly string[]>>): Promise<TestDnsServer> {
  const zone = new Map<string, string[]>(
    Object.entries(records).map(([name, value]) => [normalize(name), typeof value === 'string' ? [value] : [...value]]),
  );
  const queries: string[] = [];
  const socket = createSocket('udp4');

  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore
    }
    const question = query.questions?.[0];
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER;
    const reply = (rcode: number, answers: dnsPacket.Answer[] = []) =>
      socket.send(
        dnsPacket.encode({
          type: 'response',
          id: query.id ?? 0,
          flags: flags | rcode,
          questions: query.questions ?? [],
          answers,
        }),
        peer.port,
        peer.address,
      );
    if (!question) return reply(RCODE_NOTIMP);
    queries.push(`${question.type} ${question.name}`);
    const addresses = zone.get(normalize(question.name));
    if (!addresses) return reply(RCODE_NXDOMAIN);
    const matching =
      question.type === 'A' ? addresses.filter((a) => isIPv4(a)) : question.type === 'AAAA' ? addresses.filter((a) => isIPv6(a)) : [];
    reply(
      0,
      matching.map(
        (data): dnsPacket.Answer => ({ type: question.type === 'A' ? 'A' : 'AAAA', name: question.name, ttl: 5, class: 'IN', data }),
      ),
    );
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
