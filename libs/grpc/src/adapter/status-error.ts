import * as grpc from '@grpc/grpc-js';
import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

/** Trailer that carries a service's typed error detail message. */
export const ERROR_DETAIL_TRAILER = 'plumbline-error-bin';

/**
 * A gRPC status with an optional typed detail message, built by each feature's
 * error mapper. The message goes to clients as is: it must never hold a secret.
 */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly detail?: Uint8Array,
  ) {
    super(message);
    this.name = GrpcStatusError.name;
  }

  static withDetail<D extends DescMessage>(
    code: grpc.status,
    message: string,
    schema: D,
    detail: MessageShape<D>,
  ): GrpcStatusError {
    return new GrpcStatusError(code, message, toBinary(schema, detail));
  }

  toStatus(): Partial<grpc.StatusObject> {
    const metadata = new grpc.Metadata();
    if (this.detail) metadata.set(ERROR_DETAIL_TRAILER, Buffer.from(this.detail));
    return { code: this.code, details: this.message, metadata };
  }
}

/** Reads the typed detail a server attached to a failed call, if any. */
export function errorDetailOf<D extends DescMessage>(error: unknown, schema: D): MessageShape<D> | undefined {
  const metadata = (error as Partial<grpc.ServiceError> | undefined)?.metadata;
  if (!(metadata instanceof grpc.Metadata)) return undefined;
  const [raw] = metadata.get(ERROR_DETAIL_TRAILER);
  return raw instanceof Buffer ? fromBinary(schema, raw) : undefined;
}

export function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}
