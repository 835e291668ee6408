import { type Socket } from 'node:net';
import { readUntil } from '../probe';

/** SSLRequest: length 8, then the magic code 80877103 (1234 << 16 | 5679). */
export const SSL_REQUEST = Buffer.from([0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f]);

/** The server's one-byte answer to an SSLRequest. */
export type SslAnswer =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused' }
  /** 'E' (a server too old for SSLRequest), or bytes that are not PostgreSQL at all. */
  | { readonly kind: 'unexpected'; readonly firstByte: number; readonly length: number }
  /** 'S' followed by more bytes before our TLS ClientHello: a man-in-the-middle sign (CVE-2021-23214). */
  | { readonly kind: 'data-after-accept'; readonly length: number };

export function parseSslAnswer(answer: Buffer): SslAnswer {
  const first = answer[0] ?? -1;
  if (first === 0x53 /* S */) return answer.length === 1 ? { kind: 'accepted' } : { kind: 'data-after-accept', length: answer.length };
  if (first === 0x4e /* N */ && answer.length === 1) return { kind: 'refused' };
  return { kind: 'unexpected', firstByte: first, length: answer.length };
}

/**
 * Sends an SSLRequest on a fresh connection and reads the answer. Nothing
 * else has been sent, so the server answers with exactly one byte.
 */
export async function requestSsl(socket: Socket, signal: AbortSignal): Promise<SslAnswer> {
  const answer = readUntil(socket, (buffered) => buffered.length >= 1, signal);
  socket.write(SSL_REQUEST);
  const bytes = await answer;
  // Give a misbehaving server's extra bytes a moment to show up: they must not be read as TLS.
  if (bytes[0] === 0x53 && bytes.length === 1 && socket.readableLength > 0) {
    return { kind: 'data-after-accept', length: 1 + socket.readableLength };
  }
  return parseSslAnswer(bytes);
}
