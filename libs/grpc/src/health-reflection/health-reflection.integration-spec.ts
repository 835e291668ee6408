import * as grpc from '@grpc/grpc-js';
import { create, createFileRegistry, fromBinary, toBinary, type DescMessage, type DescService } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_timestamp,
} from '@bufbuild/protobuf/wkt';
import { service as healthService } from 'grpc-health-check';
import { DataplaneService } from '@plumbline/proto/gen/plumbline/dataplane/v1/dataplane_service_pb';
import { ConnectionService } from '@plumbline/proto/gen/plumbline/controlplane/v1/connection_pb';
import { createCa, issueCertificate } from '../../../testing/src/pki';
import { identityInterceptor } from '../identity';
import { channelCredentials, serverCredentials, type TlsConfig } from '../tls';
import { addHealthAndReflection, type HealthAndReflection } from './index';

// --- a tiny service with a descriptor built at run time, importing a well-known type

const echoFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'plumbline/test/v1/echo.proto',
    package: 'plumbline.test.v1',
    dependency: ['google/protobuf/timestamp.proto'],
    syntax: 'proto3',
    messageType: [
      {
        name: 'EchoRequest',
        field: [
          { name: 'payload', number: 1, label: Label.OPTIONAL, type: Type.BYTES, jsonName: 'payload' },
          { name: 'sent_at', number: 2, label: Label.OPTIONAL, type: Type.MESSAGE, typeName: '.google.protobuf.Timestamp', jsonName: 'sentAt' },
        ],
      },
    ],
    service: [
      {
        name: 'EchoService',
        method: [{ name: 'Echo', inputType: '.plumbline.test.v1.EchoRequest', outputType: '.plumbline.test.v1.EchoRequest' }],
      },
    ],
  }),
  (name) => (name === file_google_protobuf_timestamp.proto.name ? file_google_protobuf_timestamp : undefined),
);
const EchoService = echoFile.getService('plumbline.test.v1.EchoService') as DescService;

const passthrough = (buffer: Buffer): Buffer => buffer;
const echoDefinition: grpc.ServiceDefinition = {
  Echo: {
    path: '/plumbline.test.v1.EchoService/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  },
};

// --- a reflection client: the few grpc.reflection.v1 messages it needs, decoded with protobuf-es

const field = (name: string, number: number, type: Type, extra: { label?: Label; typeName?: string } = {}) => ({
  name,
  number,
  type,
  label: Label.OPTIONAL,
  jsonName: name,
  ...extra,
});
const reflectionFile = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'test/reflection_client.proto',
    package: 'grpc.reflection.v1',
    syntax: 'proto3',
    messageType: [
      { name: 'ServerReflectionRequest', field: [field('host', 1, Type.STRING), field('file_containing_symbol', 4, Type.STRING), field('list_services', 7, Type.STRING)] },
      {
        name: 'ServerReflectionResponse',
        field: [
          field('file_descriptor_response', 4, Type.MESSAGE, { typeName: '.grpc.reflection.v1.FileDescriptorResponse' }),
          field('list_services_response', 6, Type.MESSAGE, { typeName: '.grpc.reflection.v1.ListServiceResponse' }),
          field('error_response', 7, Type.MESSAGE, { typeName: '.grpc.reflection.v1.ErrorResponse' }),
        ],
      },
      { name: 'FileDescriptorResponse', field: [field('file_descriptor_proto', 1, Type.BYTES, { label: Label.REPEATED })] },
      { name: 'ListServiceResponse', field: [field('service', 1, Type.MESSAGE, { label: Label.REPEATED, typeName: '.grpc.reflection.v1.ServiceResponse' })] },
      { name: 'ServiceResponse', field: [field('name', 1, Type.STRING)] },
      { name: 'ErrorResponse', field: [field('error_code', 1, Type.INT32), field('error_message', 2, Type.STRING)] },
    ],
  }),
  () => undefined,
);
const RequestSchema = reflectionFile.getMessage('grpc.reflection.v1.ServerReflectionRequest') as DescMessage;
const ResponseSchema = reflectionFile.getMessage('grpc.reflection.v1.ServerReflectionResponse') as DescMessage;

interface ReflectionResponse {
  fileDescriptorResponse?: { fileDescriptorProto: Uint8Array[] };
  listServicesResponse?: { service: { name: string }[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

function reflect(
  address: string,
  credentials: grpc.ChannelCredentials,
  request: { listServices: string } | { fileContainingSymbol: string },
  version: 'v1' | 'v1alpha' = 'v1',
): Promise<ReflectionResponse> {
  const client = new grpc.Client(address, credentials);
  return new Promise<ReflectionResponse>((resolve, reject) => {
    const stream = client.makeBidiStreamRequest(
      `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      (message: Record<string, unknown>) => Buffer.from(toBinary(RequestSchema, create(RequestSchema, message))),
      (bytes: Buffer) => fromBinary(ResponseSchema, bytes) as unknown as ReflectionResponse,
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
    );
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  }).finally(() => client.close());
}

function fileNames(response: ReflectionResponse): string[] {
  return (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name);
}

function checkHealth(address: string, credentials: grpc.ChannelCredentials, service: string): Promise<string> {
  const check = healthService['Check'];
  if (!check) throw new Error('grpc-health-check has no Check method');
  const client = new grpc.Client(address, credentials);
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      check.responseDeserialize,
      { service },
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (error, response) => (error ? reject(error) : resolve(String((response as { status: unknown }).status))),
    );
  }).finally(() => client.close());
}

describe(addHealthAndReflection.name, () => {
  let server: grpc.Server;
  let sut: HealthAndReflection;
  let address: string;
  let asDataplane: grpc.ChannelCredentials;

  beforeAll(async () => {
    const ca = await createCa({ commonName: 'test CA', validDays: 1 });
    const tls = async (identity: string): Promise<TlsConfig> => {
      const issued = await issueCertificate(ca, { identity, validDays: 1 });
      return { mode: 'mtls', ca: Buffer.from(ca.certPem), cert: Buffer.from(issued.certPem), key: Buffer.from(issued.keyPem), paths: { ca: '', cert: '', key: '' } };
    };
    // Echo is for the controlplane only; health and reflection are open to any authenticated peer.
    server = new grpc.Server({ interceptors: [identityInterceptor({ 'plumbline.test.v1.EchoService': ['controlplane'] }, { insecure: false })] });
    server.addService(echoDefinition, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request) });
    sut = addHealthAndReflection(server, { services: [EchoService, DataplaneService, ConnectionService] });
    const credentials = serverCredentials(await tls('controlplane'));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('localhost:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `localhost:${port}`;
    asDataplane = channelCredentials(await tls('dataplane'));
  });

  afterAll(() => server.forceShutdown());

  it('answers SERVING for the server and each service, to any authenticated peer', async () => {
    expect(sut.serviceNames).toEqual(['', 'plumbline.test.v1.EchoService', 'plumbline.dataplane.v1.DataplaneService', 'plumbline.controlplane.v1.ConnectionService']);
    await expect(checkHealth(address, asDataplane, '')).resolves.toBe('SERVING');
    await expect(checkHealth(address, asDataplane, 'plumbline.test.v1.EchoService')).resolves.toBe('SERVING');
  });

  it('answers NOT_FOUND for a service it does not know', async () => {
    await expect(checkHealth(address, asDataplane, 'nope.v1.Nope')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it.each(['v1', 'v1alpha'] as const)('lists the application services and health through reflection %s', async (version) => {
    const response = await reflect(address, asDataplane, { listServices: '*' }, version);

    expect(response.listServicesResponse?.service.map((service) => service.name).sort()).toEqual([
      'grpc.health.v1.Health',
      'plumbline.controlplane.v1.ConnectionService',
      'plumbline.dataplane.v1.DataplaneService',
      'plumbline.test.v1.EchoService',
    ]);
  });

  it('returns the file declaring a symbol together with the files it imports', async () => {
    const response = await reflect(address, asDataplane, { fileContainingSymbol: 'plumbline.test.v1.EchoService' });

    expect(fileNames(response)).toEqual(['plumbline/test/v1/echo.proto', 'google/protobuf/timestamp.proto']);
    const echo = fromBinary(FileDescriptorProtoSchema, response.fileDescriptorResponse?.fileDescriptorProto[0] ?? new Uint8Array());
    expect(echo.service[0]?.method[0]?.inputType).toBe('.plumbline.test.v1.EchoRequest');
  });

  it('resolves generated contracts and their transitive imports', async () => {
    const dataplane = await reflect(address, asDataplane, { fileContainingSymbol: 'plumbline.dataplane.v1.DataplaneService.TestConnection' });
    const connection = await reflect(address, asDataplane, { fileContainingSymbol: 'plumbline.controlplane.v1.ConnectionService' });

    expect(fileNames(dataplane)).toEqual(
      expect.arrayContaining(['plumbline/dataplane/v1/dataplane_service.proto', 'plumbline/dataplane/v1/connection_test.proto']),
    );
    expect(fileNames(connection)).toEqual(expect.arrayContaining(['plumbline/controlplane/v1/connection.proto', 'google/protobuf/timestamp.proto']));
  });

  it('reports an unknown symbol as a reflection error, not a broken stream', async () => {
    const response = await reflect(address, asDataplane, { fileContainingSymbol: 'nope.v1.Missing' });

    expect(response.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
  });

  it('reports NOT_SERVING everywhere once shutdown begins, and SERVING again after', async () => {
    sut.setNotServing();
    await expect(checkHealth(address, asDataplane, '')).resolves.toBe('NOT_SERVING');
    await expect(checkHealth(address, asDataplane, 'plumbline.dataplane.v1.DataplaneService')).resolves.toBe('NOT_SERVING');

    sut.setServing();
    await expect(checkHealth(address, asDataplane, '')).resolves.toBe('SERVING');
  });
});
