import { type Socket } from 'node:net';
import { readUntil } from '../probe';

/** Capability flag: the server can switch the connection to TLS. */
export const CLIENT_SSL = 0x0800;

/** The first packet a MySQL / MariaDB server sends on a new connection. */
export type MysqlGreeting =
  | {
      readonly kind: 'handshake';
      readonly protocolVersion: number;
      /** e.g. `8.0.36` or `10.11.6-MariaDB-0+deb12u1`. */
      readonly serverVersion: string;
      readonly capabilities: number;
      readonly offersTls: boolean;
    }
  /** The server refused before the handshake (host not allowed, blocked, too many connections). */
  | { readonly kind: 'error'; readonly errno: number; readonly message: string };

const HEADER_BYTES = 4;

/** True once `buffered` holds the whole first packet (3-byte little-endian length, sequence id, payload). */
export function firstPacketComplete(buffered: Buffer): boolean {
  return buffered.length >= HEADER_BYTES && buffered.length >= HEADER_BYTES + buffered.readUIntLE(0, 3);
}

export class MalformedGreetingError extends Error {
  constructor(detail: string) {
    super(`not a MySQL greeting: ${detail}`);
    this.name = MalformedGreetingError.name;
  }
}

/** Parses the first packet (Protocol::Handshake v10, or an ERR packet). */
export function parseGreeting(packet: Buffer): MysqlGreeting {
  if (!firstPacketComplete(packet)) throw new MalformedGreetingError('incomplete packet');
  const payload = packet.subarray(HEADER_BYTES, HEADER_BYTES + packet.readUIntLE(0, 3));
  const first = payload[0];
  if (first === 0xff) {
    if (payload.length < 3) throw new MalformedGreetingError('short error packet');
    // Before the handshake the server does not know the client speaks 4.1, but may still send '#' + SQLSTATE.
    const text = payload.subarray(payload[3] === 0x23 /* # */ ? 9 : 3).toString('utf8');
    return { kind: 'error', errno: payload.readUInt16LE(1), message: text };
  }
  if (first !== 10 && first !== 9) throw new MalformedGreetingError(`protocol version ${first ?? 'missing'}`);
  const versionEnd = payload.indexOf(0, 1);
  if (versionEnd < 0) throw new MalformedGreetingError('unterminated server version');
  const serverVersion = payload.subarray(1, versionEnd).toString('utf8');
  // Protocol 9 predates TLS support.
  if (first === 9) return { kind: 'handshake', protocolVersion: 9, serverVersion, capabilities: 0, offersTls: false };
  // thread id (4), auth-plugin-data part 1 (8), filler (1), then capability flags (lower 2 bytes)
  let offset = versionEnd + 1 + 4 + 8 + 1;
  if (payload.length < offset + 2) throw new MalformedGreetingError('no capability flags');
  let capabilities = payload.readUInt16LE(offset);
  offset += 2;
  // character set (1), status flags (2), then the upper 2 bytes of the capability flags
  if (payload.length >= offset + 5) capabilities |= payload.readUInt16LE(offset + 3) << 16;
  return {
    kind: 'handshake',
    protocolVersion: first,
    serverVersion,
    capabilities: capabilities >>> 0,
    offersTls: (capabilities & CLIENT_SSL) !== 0,
  };
}

/**
 * Reads the server's greeting and puts it back on the socket, so the driver
 * given this socket next starts from the greeting as if it had connected
 * itself. The socket is left paused: resume it once the driver listens.
 */
export async function peekGreeting(socket: Socket, signal: AbortSignal): Promise<MysqlGreeting> {
  const bytes = await readUntil(socket, firstPacketComplete, signal, { putBack: true });
  return parseGreeting(bytes);
}

/** A MySQL identifier, backtick-quoted. */
export function quoteMysqlIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
