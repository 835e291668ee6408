import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createCa, ensurePkiDirectory, issueCertificate, pkiPaths } from '../../../testing/src/pki';
import { channelCredentials, loadTlsConfig, serverCredentials, type TlsConfig } from '../tls';
import { identityInterceptor, peerIdentity } from './index';

// A tiny service with Buffer passthrough (de)serializers, so this test needs
// nothing but grpc-js: the handler answers "<caller identity>:<payload>".
const SERVICE = 'plumbline.test.v1.EchoService';
const ECHO = `/${SERVICE}/Echo`;
const OPEN_ECHO = `/${SERVICE}/OpenEcho`;
const passthrough = (buffer: Buffer): Buffer => buffer;
const method = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: passthrough,
  requestDeserialize: passthrough,
  responseSerialize: passthrough,
  responseDeserialize: passthrough,
});
const echoService: grpc.ServiceDefinition = { Echo: method(ECHO), OpenEcho: method(OPEN_ECHO) };
const echoHandler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) =>
  callback(null, Buffer.concat([Buffer.from(`${peerIdentity(call) ?? '-'}:`), call.request]));

async function startServer(tls: TlsConfig, insecureInterceptor = tls.mode === 'insecure') {
  const server = new grpc.Server({
    interceptors: [
      identityInterceptor(
        { [SERVICE]: ['controlplane'], [`${SERVICE}/OpenEcho`]: ['controlplane', 'dataplane'] },
        { insecure: insecureInterceptor },
      ),
    ],
  });
  let handlerCalls = 0;
  server.addService(echoService, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      handlerCalls += 1;
      echoHandler(call, callback);
    },
    OpenEcho: echoHandler,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', serverCredentials(tls), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  // `localhost`, not the IP: TLS SNI may not carry an IP address (RFC 6066).
  return { server, address: `localhost:${port}`, handlerCalls: () => handlerCalls };
}

function call(address: string, credentials: grpc.ChannelCredentials, path = ECHO): Promise<string> {
  const client = new grpc.Client(address, credentials);
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      passthrough,
      passthrough,
      Buffer.from('ping'),
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (error, response) => (error ? reject(error) : resolve(response?.toString() ?? '')),
    );
  }).finally(() => client.close());
}

async function statusOf(promise: Promise<unknown>): Promise<{ code: grpc.status; details: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, details } = error as grpc.ServiceError;
    return { code, details };
  }
  throw new Error('expected the call to fail');
}

describe(`${identityInterceptor.name} over mTLS`, () => {
  let directory: string;
  let serverTls: TlsConfig;
  let server: Awaited<ReturnType<typeof startServer>>;
  const tlsFor = (identity: string): TlsConfig => {
    const paths = pkiPaths(directory, identity);
    return loadTlsConfig({ PLUMBLINE_TLS_CA: paths.ca, PLUMBLINE_TLS_CERT: paths.cert, PLUMBLINE_TLS_KEY: paths.key });
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'plumbline-mtls-'));
    await ensurePkiDirectory(directory, { identities: ['controlplane', 'dataplane'], caValidDays: 1, certValidDays: 1, renewWithinDays: 0 });
    // The dataplane serves; only the controlplane may call Echo.
    serverTls = tlsFor('dataplane');
    server = await startServer(serverTls);
  });

  afterAll(() => {
    server.server.forceShutdown();
    rmSync(directory, { recursive: true, force: true });
  });

  it('lets the allowed identity call, and tells the handler who called', async () => {
    await expect(call(server.address, channelCredentials(tlsFor('controlplane')))).resolves.toBe('controlplane:ping');
  });

  it('answers PERMISSION_DENIED to a valid certificate with the wrong identity, without running the handler', async () => {
    const before = server.handlerCalls();

    const status = await statusOf(call(server.address, channelCredentials(tlsFor('dataplane'))));

    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.details).toContain('"dataplane"');
    expect(server.handlerCalls()).toBe(before);
  });

  it('reads the peer certificate once per connection, not on every call', async () => {
    const client = new grpc.Client(server.address, channelCredentials(tlsFor('controlplane')));
    const echo = () =>
      new Promise<string>((resolve, reject) =>
        client.makeUnaryRequest(ECHO, passthrough, passthrough, Buffer.from('ping'), (error, response) =>
          error ? reject(error) : resolve(response?.toString() ?? ''),
        ),
      );
    const read = jest.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    try {
      await expect(echo()).resolves.toBe('controlplane:ping'); // the handshake, and the session's first call
      const handlerReads = 1; // echoHandler asks peerIdentity(call) itself, once per call
      read.mockClear();

      await expect(Promise.all([echo(), echo(), echo()])).resolves.toEqual(Array(3).fill('controlplane:ping'));

      expect(read).toHaveBeenCalledTimes(3 * handlerReads);
    } finally {
      read.mockRestore();
      client.close();
    }
  });

  it('applies a method rule over its service rule', async () => {
    await expect(call(server.address, channelCredentials(tlsFor('dataplane')), OPEN_ECHO)).resolves.toBe('dataplane:ping');
  });

  it('refuses a client that presents no certificate', async () => {
    if (serverTls.mode !== 'mtls') throw new Error('unreachable');
    const noClientCert = grpc.credentials.createSsl(serverTls.ca);
    const before = server.handlerCalls();

    const status = await statusOf(call(server.address, noClientCert));

    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(server.handlerCalls()).toBe(before);
  });

  it('refuses a client whose certificate comes from another CA, even with the right identity', async () => {
    if (serverTls.mode !== 'mtls') throw new Error('unreachable');
    const otherCa = await createCa({ commonName: 'Impostor CA', validDays: 1 });
    const impostor = await issueCertificate(otherCa, { identity: 'controlplane', validDays: 1 });
    const credentials = grpc.credentials.createSsl(serverTls.ca, Buffer.from(impostor.keyPem), Buffer.from(impostor.certPem));
    const before = server.handlerCalls();

    const status = await statusOf(call(server.address, credentials));

    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(server.handlerCalls()).toBe(before);
  });

  it('refuses a plain-text client', async () => {
    const status = await statusOf(call(server.address, grpc.credentials.createInsecure()));

    expect(status.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('is not fooled by a client that does not trust the server (client refuses a server from another CA)', async () => {
    const otherCa = await createCa({ commonName: 'Other CA', validDays: 1 });
    const controlplane = tlsFor('controlplane');
    if (controlplane.mode !== 'mtls') throw new Error('unreachable');
    const credentials = grpc.credentials.createSsl(Buffer.from(otherCa.certPem), controlplane.key, controlplane.cert);

    const status = await statusOf(call(server.address, credentials));

    expect(status.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe(`${identityInterceptor.name} without TLS`, () => {
  it('answers UNAUTHENTICATED when the server is plain text but identity checks are on', async () => {
    const sut = await startServer({ mode: 'insecure' }, false);
    try {
      const status = await statusOf(call(sut.address, grpc.credentials.createInsecure()));

      expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(sut.handlerCalls()).toBe(0);
    } finally {
      sut.server.forceShutdown();
    }
  });

  it('lets every call through in insecure development mode, with no identity', async () => {
    const sut = await startServer({ mode: 'insecure' }, true);
    try {
      await expect(call(sut.address, grpc.credentials.createInsecure())).resolves.toBe('-:ping');
    } finally {
      sut.server.forceShutdown();
    }
  });
});
