import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Serve over HTTPS with this certificate (e.g. from `issueCertificate`); plain HTTP without it. */
export interface SecretsFakeTls {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface SecretsFakeOptions {
  readonly tls?: SecretsFakeTls;
}

/** What a fake saw, without bodies or headers (they carry passwords and tokens). */
export interface SecretsFakeRequestRecord {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** `login`, `secret` or `other`, as the fake routed it. */
  readonly kind: SecretsFakeRequestKind;
}

export type SecretsFakeRequestKind = 'login' | 'secret' | 'other';

/** A canned answer, served in place of the normal one. */
export interface SecretsFakeCannedReply {
  readonly status: number;
  /** Sent as is (JSON-encoded when not a string). Default: `{"errors":["injected failure"]}`. */
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface FakeReply {
  readonly status: number;
  readonly json: unknown;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** The parsed JSON body, or undefined when absent or not JSON. */
  readonly body: unknown;
}

/** Common controls of every secrets-manager fake. */
export interface SecretsManagerFake {
  /** `http(s)://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order (failed, canned and hung ones included). */
  readonly requests: readonly SecretsFakeRequestRecord[];
  /** How many requests were received, optionally of one kind. */
  requestCount(kind?: SecretsFakeRequestKind): number;
  /** Answer the next `count` requests (of `kind`, when given) with `status` (default 503) instead of serving them. */
  failNext(count: number, status?: number, kind?: SecretsFakeRequestKind): void;
  /** Answer the next `count` requests (of `kind`, when given) with this reply (e.g. a 200 that is not JSON). */
  replyNext(count: number, reply: SecretsFakeCannedReply, kind?: SecretsFakeRequestKind): void;
  /** Hold the next `count` requests (default: all; of `kind`, when given) open without answering, until {@link stopHanging} or close. */
  hangNext(count?: number, kind?: SecretsFakeRequestKind): void;
  /** Every token issued so far, so tests can search errors and logs for them. */
  issuedTokens(): string[];
  /** Serve normally again and release (abort) the hung requests. */
  stopHanging(): void;
  /** Stops the server and drops every connection, hung ones included. */
  close(): Promise<void>;
}

/** Routes one request to its answer. */
export type FakeHandler = (request: FakeRequest) => FakeReply;
/** Names what a request is for, so tests can count logins and secret reads. */
export type FakeClassifier = (method: string, path: string) => SecretsFakeRequestKind;

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A JSON HTTP(S) server on 127.0.0.1 with a random port and failure injection,
 * the engine of the secrets-manager fakes. `handler` routes and answers; this
 * class records, injects failures, hangs and closes.
 */
export class JsonFakeServer implements SecretsManagerFake {
  readonly requests: SecretsFakeRequestRecord[] = [];
  private readonly canned: { reply: SecretsFakeCannedReply; kind: SecretsFakeRequestKind | undefined }[] = [];
  private hang: { remaining: number; kind: SecretsFakeRequestKind | undefined } = { remaining: 0, kind: undefined };
  private readonly hung = new Set<ServerResponse>();
  private server!: Server;
  private address!: AddressInfo;

  private constructor(
    private readonly handler: FakeHandler,
    private readonly classify: FakeClassifier,
    private readonly protocol: 'http' | 'https',
    readonly issuedTokens: () => string[],
  ) {}

  static async start(
    options: SecretsFakeOptions,
    classify: FakeClassifier,
    handler: FakeHandler,
    issuedTokens: () => string[] = () => [],
  ): Promise<JsonFakeServer> {
    const fake = new JsonFakeServer(handler, classify, options.tls ? 'https' : 'http', issuedTokens);
    const listener = (req: IncomingMessage, res: ServerResponse): void => fake.onRequest(req, res);
    fake.server = options.tls
      ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener)
      : createHttpServer(listener);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.address = fake.server.address() as AddressInfo;
    return fake;
  }

  get url(): string {
    return `${this.protocol}://127.0.0.1:${this.address.port}`;
  }

  get port(): number {
    return this.address.port;
  }

  requestCount(kind?: SecretsFakeRequestKind): number {
    return kind ? this.requests.filter((request) => request.kind === kind).length : this.requests.length;
  }

  failNext(count: number, status = 503, kind?: SecretsFakeRequestKind): void {
    this.replyNext(count, { status }, kind);
  }

  replyNext(count: number, reply: SecretsFakeCannedReply, kind?: SecretsFakeRequestKind): void {
    for (let i = 0; i < count; i++) this.canned.push({ reply, kind });
  }

  hangNext(count = Number.POSITIVE_INFINITY, kind?: SecretsFakeRequestKind): void {
    this.hang = { remaining: count, kind };
  }

  stopHanging(): void {
    this.hang = { remaining: 0, kind: undefined };
    for (const response of this.hung) response.destroy();
    this.hung.clear();
  }

  async close(): Promise<void> {
    this.stopHanging();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => this.respond(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private respond(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const parsedUrl = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(parsedUrl.pathname);
    const record = { method, path, kind: this.classify(method, path) };
    this.requests.push(record);

    if (this.hang.remaining > 0 && (this.hang.kind === undefined || this.hang.kind === record.kind)) {
      this.hang.remaining--;
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    const index = this.canned.findIndex((entry) => entry.kind === undefined || entry.kind === record.kind);
    const canned = index >= 0 ? this.canned.splice(index, 1)[0]?.reply : undefined;
    if (canned) {
      const body = canned.body === undefined ? { errors: ['injected failure'] } : canned.body;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(canned.status, { 'content-type': canned.contentType ?? 'application/json' });
      res.end(text);
      return;
    }

    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    let reply: FakeReply;
    try {
      reply = this.handler({ method, path, query: parsedUrl.searchParams, headers: req.headers, body });
    } catch {
      reply = { status: 500, json: { errors: ['fake handler failed'] } };
    }
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.json));
  }
}
