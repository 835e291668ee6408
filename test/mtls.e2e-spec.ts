import * as grpc from '@grpc/grpc-js';
import { createClient } from '@plumbline/grpc';
import { controlplane, dataplane } from '@plumbline/proto';
import {
  createCa,
  createPostgresDatabase,
  issueCertificate,
  randomKeyRing,
  startPlumblineStack,
  startServiceProcess,
  type PlumblineStack,
  type TestDatabase,
} from '@plumbline/testing';
import { expectGrpcError } from './support/grpc-expect';

jest.setTimeout(60_000);

const testTarget = { target: { connector: 'postgresql', properties: {}, scope: {} }, timeoutMs: 1_000 };

describe('mutual TLS between the planes', () => {
  let database: TestDatabase;
  let stack: PlumblineStack;

  beforeAll(async () => {
    database = await createPostgresDatabase('plb_cp');
    stack = await startPlumblineStack({ databaseUrl: database.url });
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  });

  it('refuses a client without a certificate', async () => {
    const sut = createClient(
      dataplane.DataplaneService,
      stack.dataplaneAddress,
      grpc.credentials.createSsl(Buffer.from(stack.pki.ca.certPem)),
    );
    await expectGrpcError(sut.testConnection(testTarget, { timeoutMs: 5_000 }), grpc.status.UNAVAILABLE);
    sut.close();
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const otherCa = await createCa({ commonName: 'Impostor CA', validDays: 1 });
    const impostor = await issueCertificate(otherCa, { identity: 'controlplane', validDays: 1 });
    const sut = createClient(
      dataplane.DataplaneService,
      stack.dataplaneAddress,
      grpc.credentials.createSsl(
        Buffer.from(stack.pki.ca.certPem),
        Buffer.from(impostor.keyPem),
        Buffer.from(impostor.certPem),
      ),
    );
    await expectGrpcError(sut.testConnection(testTarget, { timeoutMs: 5_000 }), grpc.status.UNAVAILABLE);
    sut.close();
  });

  it('refuses a valid certificate with the wrong identity', async () => {
    for (const identity of ['dataplane', 'cli']) {
      const sut = stack.dataplaneClient(identity);
      const { error } = await expectGrpcError(sut.testConnection(testTarget), grpc.status.PERMISSION_DENIED);
      expect(error.details).toContain(identity);
    }
  });

  it('serves the controlplane identity', async () => {
    const sut = stack.dataplaneClient('controlplane');
    const { result } = await sut.testConnection(testTarget);
    expect(result?.errorCode).toBe(dataplane.TestErrorCode.INVALID_CONFIGURATION);
  });

  it('refuses a controlplane API client from another CA', async () => {
    const otherCa = await createCa({ commonName: 'Impostor CA', validDays: 1 });
    const impostor = await issueCertificate(otherCa, { identity: 'cli', validDays: 1 });
    const sut = createClient(
      controlplane.ConnectionService,
      stack.controlplaneAddress,
      grpc.credentials.createSsl(Buffer.from(stack.pki.ca.certPem), Buffer.from(impostor.keyPem), Buffer.from(impostor.certPem)),
    );
    await expectGrpcError(sut.listConnections({}, { timeoutMs: 5_000 }), grpc.status.UNAVAILABLE);
    sut.close();
  });

  it.each(['controlplane', 'dataplane'] as const)('%s refuses to start without certificates', async (name) => {
    await expect(
      startServiceProcess({ name, env: { PLUMBLINE_GRPC_ADDRESS: '127.0.0.1:0', PLUMBLINE_DATABASE_URL: database.url, PLUMBLINE_KEYRING: randomKeyRing() } }),
    ).rejects.toThrow(/PLUMBLINE_TLS_CA/);
  });

  it('dataplane starts without TLS only with the explicit insecure flag, and says so loudly', async () => {
    const sut = await startServiceProcess({
      name: 'dataplane',
      env: { PLUMBLINE_GRPC_ADDRESS: '127.0.0.1:0', PLUMBLINE_INSECURE_DEV: 'true' },
    });
    try {
      expect(sut.output.join('\n')).toMatch(/WARNING: PLUMBLINE_INSECURE_DEV=true/);
    } finally {
      await sut.stop();
    }
  });

  it.each([
    ['controlplane', () => stack.controlplaneAddress, controlplane.ConnectionService.typeName],
    ['dataplane', () => stack.dataplaneAddress, dataplane.DataplaneService.typeName],
  ])('%s answers grpc.health.v1 and server reflection', async (_name, address, serviceName) => {
    const credentials = stack.pki.credentials('cli');
    const health = new grpc.Client(address(), credentials);
    // Health and reflection are exercised with raw bytes so this test depends on neither library.
    const checkRequest = Buffer.concat([Buffer.from([0x0a, serviceName.length]), Buffer.from(serviceName)]);
    const response = await new Promise<Buffer>((resolve, reject) =>
      health.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (b: Buffer) => b,
        (b: Buffer) => b,
        checkRequest,
        (error, value) => (error ? reject(error) : resolve(value!)),
      ),
    );
    expect([...response]).toEqual([0x08, 0x01]); // status: SERVING
    health.close();

    const reflection = new grpc.Client(address(), credentials);
    const call = reflection.makeBidiStreamRequest(
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      (b: Buffer) => b,
      (b: Buffer) => b,
    );
    const listServices = Buffer.from([0x3a, 0x01, 0x2a]); // list_services: "*"
    call.write(listServices);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      call.once('data', resolve);
      call.once('error', reject);
    });
    call.end();
    expect(reply.toString('latin1')).toContain(serviceName);
    reflection.close();
  });
});
