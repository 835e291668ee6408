import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { Duplex } from 'node:stream';

/** PEM key and certificate a fake server presents when a client asks for TLS. */
export interface FakeServerTls {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface FakeServerOptions {
  /** Offer TLS (PostgreSQL 'S' / MySQL CLIENT_SSL) with this certificate; without it TLS is refused. */
  readonly tls?: FakeServerTls;
}

/** One login attempt a fake server saw. */
export interface FakeLogin {
  readonly user: string;
  /** The cleartext password (PostgreSQL only: MySQL clients send a scramble). */
  readonly password?: string;
  readonly encrypted: boolean;
}

export interface FakeServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly logins: FakeLogin[];
  close(): Promise<void>;
}

/** Reads length-delimited frames from a stream. */
class FrameReader {
  private buffered = Buffer.alloc(0);
  private waiting: { size: (b: Buffer) => number | undefined; resolve: (frame: Buffer) => void } | undefined;

  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.drain();
  };

  constructor(private readonly stream: Duplex) {
    stream.on('data', this.onData);
  }

  /** Stops reading and hands over the bytes read past the last frame (a TLS ClientHello, say). */
  detach(): Buffer {
    this.stream.removeListener('data', this.onData);
    const leftover = this.buffered;
    this.buffered = Buffer.alloc(0);
    return leftover;
  }

  /** Resolves with the next frame; `size` returns its length once enough bytes are there. */
  next(size: (buffered: Buffer) => number | undefined): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting = { size, resolve };
      this.drain();
    });
  }

  private drain(): void {
    if (!this.waiting) return;
    const length = this.waiting.size(this.buffered);
    if (length === undefined || this.buffered.length < length) return;
    const frame = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve(frame);
  }
}

/**
 * Server side of a TLS upgrade on a connection already read from: `leftover`
 * holds bytes read past the upgrade request (a client may send its ClientHello
 * right behind it), fed to TLS before anything else from the socket.
 */
function upgrade(socket: Socket, leftover: Buffer, tls: FakeServerTls): TLSSocket {
  const transport = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  if (leftover.length > 0) transport.push(leftover);
  socket.on('data', (chunk: Buffer) => transport.push(chunk));
  socket.on('end', () => transport.push(null));
  const secure = new TLSSocket(transport, {
    isServer: true,
    secureContext: createSecureContext({ cert: tls.certPem, key: tls.keyPem }),
  });
  secure.on('error', () => undefined);
  return secure;
}

async function serve(handle: (socket: Socket) => Promise<void>): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    handle(socket).catch(() => socket.destroy());
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve(address.port);
    });
  });
  return { server, port, sockets };
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

// ---------------------------------------------------------------------------
// PostgreSQL

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;

const int32Frame = (b: Buffer) => (b.length >= 4 ? b.readInt32BE(0) : undefined);
const typedFrame = (b: Buffer) => (b.length >= 5 ? 1 + b.readInt32BE(1) : undefined);

function pgMessage(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'ascii');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function pgError(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(([code, value]) => Buffer.from(`${code}${value}\0`, 'utf8'));
  return pgMessage('E', Buffer.concat([...parts, Buffer.from([0])]));
}

/**
 * A PostgreSQL wire-protocol fake on loopback that asks for a cleartext
 * password and always rejects it with SQLSTATE 28P01 — and, on purpose, quotes
 * the password it received in the error text, so tests can prove a connector
 * scrubs server messages. Answers SSLRequest with 'S' and a TLS handshake when
 * `tls` is given, else 'N'.
 */
export async function startFakePostgres(options: FakeServerOptions = {}): Promise<FakeServer> {
  const logins: FakeLogin[] = [];
  const { server, port, sockets } = await serve(async (socket) => {
    let reader = new FrameReader(socket);
    let stream: Duplex = socket;
    let encrypted = false;
    for (;;) {
      const first = await reader.next(int32Frame);
      const code = first.readInt32BE(4);
      if (code === SSL_REQUEST_CODE && options.tls && !encrypted) {
        socket.write('S');
        stream = upgrade(socket, reader.detach(), options.tls);
        reader = new FrameReader(stream);
        encrypted = true;
        continue;
      }
      if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
        stream.write('N');
        continue;
      }
      // StartupMessage: protocol version, then name\0value\0 pairs.
      const params = first.subarray(8).toString('utf8').split('\0');
      const user = params[params.indexOf('user') + 1] ?? '';
      const askCleartext = Buffer.alloc(4);
      askCleartext.writeInt32BE(3);
      stream.write(pgMessage('R', askCleartext));
      const reply = await reader.next(typedFrame);
      const password = reply.subarray(5, reply.length - 1).toString('utf8');
      logins.push({ user, password, encrypted });
      stream.end(
        pgError({
          S: 'FATAL',
          V: 'FATAL',
          C: '28P01',
          M: `password authentication failed for user "${user}" (fake server received "${password}")`,
        }),
      );
      return;
    }
  });
  return { host: '127.0.0.1', port, logins, close: closer(server, sockets) };
}

// ---------------------------------------------------------------------------
// MySQL

const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_CONNECT_WITH_DB = 0x8;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;

const mysqlFrame = (b: Buffer) => (b.length >= 4 ? 4 + b.readUIntLE(0, 3) : undefined);

function mysqlPacket(sequence: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header.writeUInt8(sequence & 0xff, 3);
  return Buffer.concat([header, payload]);
}

function mysqlGreeting(offerTls: boolean): Buffer {
  const capabilities =
    CLIENT_LONG_PASSWORD |
    CLIENT_CONNECT_WITH_DB |
    CLIENT_PROTOCOL_41 |
    CLIENT_SECURE_CONNECTION |
    CLIENT_PLUGIN_AUTH |
    (offerTls ? CLIENT_SSL : 0);
  const fixed = Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10);
  let offset = 0;
  offset = fixed.writeUInt32LE(1, offset); // connection id
  fixed.write('abcdefgh', offset, 'ascii'); // auth-plugin-data part 1
  offset += 8;
  offset = fixed.writeUInt8(0, offset); // filler
  offset = fixed.writeUInt16LE(capabilities & 0xffff, offset);
  offset = fixed.writeUInt8(0x21, offset); // utf8_general_ci
  offset = fixed.writeUInt16LE(0x0002, offset); // autocommit
  offset = fixed.writeUInt16LE(capabilities >>> 16, offset);
  fixed.writeUInt8(21, offset); // auth-plugin-data length; 10 reserved zero bytes follow
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from('8.0.99-plumbline-fake\0', 'ascii'),
    fixed,
    Buffer.from('ijklmnopqrst\0', 'ascii'), // auth-plugin-data part 2
    Buffer.from('mysql_native_password\0', 'ascii'),
  ]);
}

/**
 * A MySQL wire-protocol fake on loopback: sends a greeting (with CLIENT_SSL
 * and a TLS upgrade when `tls` is given), reads the login and always answers
 * ER_ACCESS_DENIED_ERROR (1045).
 */
export async function startFakeMysql(options: FakeServerOptions = {}): Promise<FakeServer> {
  const logins: FakeLogin[] = [];
  const { server, port, sockets } = await serve(async (socket) => {
    let reader = new FrameReader(socket);
    let stream: Duplex = socket;
    let encrypted = false;
    socket.write(mysqlPacket(0, mysqlGreeting(Boolean(options.tls))));
    let packet = await reader.next(mysqlFrame);
    const flags = packet.readUInt32LE(4);
    if (options.tls && flags & CLIENT_SSL && packet.length === 4 + 32) {
      stream = upgrade(socket, reader.detach(), options.tls);
      reader = new FrameReader(stream);
      encrypted = true;
      packet = await reader.next(mysqlFrame);
    }
    // HandshakeResponse41: flags(4) max packet(4) charset(1) reserved(23) then the user name, NUL-terminated.
    const userStart = 4 + 32;
    const user = packet.subarray(userStart, packet.indexOf(0, userStart)).toString('utf8');
    logins.push({ user, encrypted });
    const sequence = (packet.readUInt8(3) + 1) & 0xff;
    const message = Buffer.from(`#28000Access denied for user '${user}'@'127.0.0.1' (using password: YES)`, 'utf8');
    const errorPayload = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), message]); // 0x0415 = 1045
    stream.end(mysqlPacket(sequence, errorPayload));
  });
  return { host: '127.0.0.1', port, logins, close: closer(server, sockets) };
}
