import type * as grpc from '@grpc/grpc-js';
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethod,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { type GrpcStatusError } from './status-error';

/**
 * protoc-gen-es emits service descriptors, grpc-js wants service definitions:
 * this file is the one bridge between them, for servers and clients alike.
 */

/** What a handler knows about the call besides its request. */
export interface CallContext {
  readonly metadata: grpc.Metadata;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the caller's deadline; Infinity when it set none. */
  remainingMs(): number;
  /** The underlying grpc-js call, for peer certificate checks. */
  readonly call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;
}

type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => Promise<MessageInitShape<O>>;

type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => AsyncIterable<MessageInitShape<O>>;

/** The handlers a service implementation must provide, typed from its descriptor. */
export type ServiceImplementation<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]['methodKind'] extends 'unary'
    ? UnaryHandler<S[K]['input'], S[K]['output']>
    : S[K]['methodKind'] extends 'server_streaming'
      ? ServerStreamingHandler<S[K]['input'], S[K]['output']>
      : never;
};

/** Descriptor type of a generated service (`typeof ConnectionService`). */
export type ServiceDesc<S extends GenServiceMethods> = GenService<S>;

/** `ImplementationOf<typeof ConnectionService>`: what a handler class implements. */
export type ImplementationOf<T> = T extends GenService<infer S> ? ServiceImplementation<S> : never;

/** Maps whatever a handler threw to the status the client sees. */
export type ErrorMapper = (error: unknown, method: DescMethod) => GrpcStatusError;

export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function serializer(schema: DescMessage) {
  return (message: unknown) => Buffer.from(toBinary(schema, message as MessageShape<DescMessage>));
}

function deserializer(schema: DescMessage) {
  return (bytes: Buffer) => fromBinary(schema, bytes);
}

/** grpc-js service definition for a protobuf-es service descriptor. */
export function serviceDefinition(service: DescService): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: methodPath(method),
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: serializer(method.input),
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
      originalName: method.localName,
    };
  }
  return definition;
}

function callContext(
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
): CallContext {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort(new Error('call cancelled by client')));
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const remainingMs = () => (Number.isFinite(deadlineMs) ? Math.max(0, deadlineMs - Date.now()) : Infinity);
  if (Number.isFinite(deadlineMs)) {
    const timer = setTimeout(() => controller.abort(new Error('deadline exceeded')), remainingMs());
    timer.unref();
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }
  return { metadata: call.metadata, signal: controller.signal, remainingMs, call };
}

/**
 * Registers `implementation` for `service` on a grpc-js server. Every error a
 * handler throws goes through `mapError`, so domain code never builds statuses.
 */
export function addService<S extends GenServiceMethods>(
  server: grpc.Server,
  service: ServiceDesc<S>,
  implementation: ServiceImplementation<S>,
  mapError: ErrorMapper,
): void {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (implementation as Record<string, unknown>)[method.localName];
    if (typeof handler !== 'function') {
      throw new Error(`${service.typeName}.${method.name} has no handler`);
    }
    const bound = handler.bind(implementation) as (req: unknown, ctx: CallContext) => unknown;
    switch (method.methodKind) {
      case 'unary':
        handlers[method.localName] = (
          call: grpc.ServerUnaryCall<unknown, unknown>,
          callback: grpc.sendUnaryData<unknown>,
        ) => {
          const context = callContext(call);
          (bound(call.request, context) as Promise<MessageInitShape<DescMessage>>).then(
            (response) => callback(null, create(method.output, response)),
            (error: unknown) => callback(mapError(error, method).toStatus()),
          );
        };
        break;
      case 'server_streaming':
        handlers[method.localName] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
          const context = callContext(call);
          void (async () => {
            try {
              for await (const message of bound(call.request, context) as AsyncIterable<
                MessageInitShape<DescMessage>
              >) {
                if (context.signal.aborted) break;
                if (!call.write(create(method.output, message))) {
                  await new Promise((resolve) => call.once('drain', resolve));
                }
              }
              call.end();
            } catch (error) {
              call.emit('error', mapError(error, method).toStatus());
            }
          })();
        };
        break;
      default:
        throw new Error(`${service.typeName}.${method.name}: ${method.methodKind} calls are not supported`);
    }
  }
  server.addService(serviceDefinition(service), handlers);
}
