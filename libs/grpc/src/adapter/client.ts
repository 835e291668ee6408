import * as grpc from '@grpc/grpc-js';
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { methodPath, type ServiceDesc } from './service-adapter';

export interface CallOptions {
  /** Milliseconds before the call fails with DEADLINE_EXCEEDED. */
  timeoutMs?: number;
  metadata?: grpc.Metadata;
  signal?: AbortSignal;
}

type UnaryClientMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;

type ServerStreamingClientMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;

/** A promise-based client typed from a generated service descriptor. */
export type ServiceClient<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]['methodKind'] extends 'unary'
    ? UnaryClientMethod<S[K]['input'], S[K]['output']>
    : S[K]['methodKind'] extends 'server_streaming'
      ? ServerStreamingClientMethod<S[K]['input'], S[K]['output']>
      : never;
} & { close(): void };

/** `ClientOf<typeof ConnectionService>`. */
export type ClientOf<T> = T extends GenService<infer S> ? ServiceClient<S> : never;

function callOptions(options: CallOptions | undefined): grpc.CallOptions {
  return options?.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

/**
 * Creates a client for `service`. Several clients may share one channel by
 * passing the same `channel` (a grpc.Client); otherwise each gets its own.
 */
export function createClient<S extends GenServiceMethods>(
  service: ServiceDesc<S>,
  address: string,
  credentials: grpc.ChannelCredentials,
  channelOptions: grpc.ChannelOptions = {},
): ServiceClient<S> {
  const channel = new grpc.Client(address, credentials, channelOptions);
  const client: Record<string, unknown> = { close: () => channel.close() };
  for (const method of service.methods) {
    const path = methodPath(method);
    const serialize = (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message));
    const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);
    switch (method.methodKind) {
      case 'unary':
        client[method.localName] = (request: MessageInitShape<DescMessage>, options?: CallOptions) =>
          new Promise((resolve, reject) => {
            const call = channel.makeUnaryRequest(
              path,
              serialize,
              deserialize,
              create(method.input, request),
              options?.metadata ?? new grpc.Metadata(),
              callOptions(options),
              (error, response) => (error ? reject(error) : resolve(response)),
            );
            options?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
          });
        break;
      case 'server_streaming':
        client[method.localName] = (request: MessageInitShape<DescMessage>, options?: CallOptions) => {
          const call = channel.makeServerStreamRequest(
            path,
            serialize,
            deserialize,
            create(method.input, request),
            options?.metadata ?? new grpc.Metadata(),
            callOptions(options),
          );
          options?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
          // A grpc-js readable stream is already async-iterable and rejects with the status.
          return call as AsyncIterable<MessageShape<DescMessage>>;
        };
        break;
      default:
        throw new Error(`${method.parent.typeName}.${method.name}: ${method.methodKind} calls are not supported`);
    }
  }
  return client as ServiceClient<S>;
}
