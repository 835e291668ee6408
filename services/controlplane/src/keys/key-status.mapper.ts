import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { GrpcStatusError } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { KeyError, KeyErrorCode } from './key.errors';

function status(code: grpc.status, error: KeyError): GrpcStatusError {
  return GrpcStatusError.withDetail(
    code,
    error.message,
    controlplane.ErrorDetailSchema,
    create(controlplane.ErrorDetailSchema, {
      reason: error.code,
      field: error.extras.field ?? '',
      blockingIds: error.extras.blockingIds ?? [],
    }),
  );
}

/** The gRPC status of a key administration error (exhaustive: a new code fails the build here). */
export function keyErrorStatus(error: KeyError): GrpcStatusError {
  switch (error.code) {
    case KeyErrorCode.INVALID_REQUEST:
      return status(grpc.status.INVALID_ARGUMENT, error);
    case KeyErrorCode.VERSION_UNKNOWN:
      return status(grpc.status.NOT_FOUND, error);
    case KeyErrorCode.VERSION_EXISTS:
      return status(grpc.status.ALREADY_EXISTS, error);
    case KeyErrorCode.KEYRING_NOT_FILE:
    case KeyErrorCode.KEYRING_UNAVAILABLE:
    case KeyErrorCode.VERSION_IN_USE:
    case KeyErrorCode.VERSION_IS_PRIMARY:
    case KeyErrorCode.CIPHERTEXT_UNREADABLE:
      return status(grpc.status.FAILED_PRECONDITION, error);
    case KeyErrorCode.ROTATION_IN_PROGRESS:
    case KeyErrorCode.ROTATION_INCOMPLETE:
      return status(grpc.status.ABORTED, error);
  }
}
