import * as grpc from '@grpc/grpc-js';
import { errorDetailOf, isServiceError } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';

export interface CaughtGrpcError {
  error: grpc.ServiceError;
  detail: controlplane.ErrorDetail | undefined;
}

/** Awaits a call that must fail with `code`, and returns the error with its typed detail. */
export async function expectGrpcError(call: Promise<unknown>, code: grpc.status): Promise<CaughtGrpcError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  if (!isServiceError(caught)) {
    throw new Error(`expected a gRPC ${grpc.status[code]} error, got ${caught === undefined ? 'success' : String(caught)}`);
  }
  if (caught.code !== code) {
    throw new Error(`expected gRPC ${grpc.status[code]}, got ${grpc.status[caught.code]}: ${caught.details}`);
  }
  return { error: caught, detail: errorDetailOf(caught, controlplane.ErrorDetailSchema) };
}
