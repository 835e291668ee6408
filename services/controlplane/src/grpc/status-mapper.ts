import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import { SecretReferenceError, SecretReferenceErrorCode, ValidationError } from '@plumbline/common';
import { GrpcStatusError } from '@plumbline/grpc';
import { controlplane, dataplane } from '@plumbline/proto';
import { ConnectionTestError, ConnectionTestErrorCode } from '../connection-testing/connection-test.errors';
import { ConnectionError, ConnectionErrorCode } from '../connections/connection.errors';
import { DatastoreError, DatastoreErrorCode } from '../datastores/datastore.errors';
import { KeyError } from '../keys/key.errors';
import { keyErrorStatus } from '../keys/key-status.mapper';
import { NetworkPolicyError, NetworkPolicyErrorCode } from '../network-policy/network-policy.errors';
import { OperationError, OperationErrorCode } from '../operations/operation.errors';
import { SecretsManagerError, SecretsManagerErrorCode } from '../secrets-managers/secrets-manager.errors';

type Detail = Parameters<typeof create<typeof controlplane.ErrorDetailSchema>>[1];

function status(code: grpc.status, message: string, detail: Detail): GrpcStatusError {
  return GrpcStatusError.withDetail(code, message, controlplane.ErrorDetailSchema, create(controlplane.ErrorDetailSchema, detail));
}

/** Network-class failures say the data source is unreachable; the rest are the caller's to fix. */
const UNREACHABLE = new Set([
  dataplane.TestErrorCode.DNS_FAILURE,
  dataplane.TestErrorCode.CONNECTION_REFUSED,
  dataplane.TestErrorCode.TIMEOUT,
  dataplane.TestErrorCode.HOST_UNREACHABLE,
]);

function connectionStatus(error: ConnectionError): GrpcStatusError {
  const detail: Detail = {
    reason: error.code,
    field: error.extras.field ?? '',
    blockingIds: error.extras.blockingIds ?? [],
    datastoreFailures: (error.extras.datastoreFailures ?? []).map((failure) => ({
      datastoreId: failure.datastoreId,
      datastoreName: failure.datastoreName,
      testResult: failure.testResult,
    })),
  };
  switch (error.code) {
    case ConnectionErrorCode.NOT_FOUND:
      return status(grpc.status.NOT_FOUND, error.message, detail);
    case ConnectionErrorCode.NAME_TAKEN:
      return status(grpc.status.ALREADY_EXISTS, error.message, detail);
    case ConnectionErrorCode.IN_USE:
    case ConnectionErrorCode.VERIFICATION_FAILED:
      return status(grpc.status.FAILED_PRECONDITION, error.message, detail);
    case ConnectionErrorCode.CHANGED_CONCURRENTLY:
      return status(grpc.status.ABORTED, error.message, detail);
    case ConnectionErrorCode.INVALID_REQUEST:
      return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
  }
}

function datastoreStatus(error: DatastoreError): GrpcStatusError {
  const detail: Detail = { reason: error.code, field: error.field ?? '' };
  switch (error.code) {
    case DatastoreErrorCode.NOT_FOUND:
      return status(grpc.status.NOT_FOUND, error.message, detail);
    case DatastoreErrorCode.NAME_TAKEN:
      return status(grpc.status.ALREADY_EXISTS, error.message, detail);
    case DatastoreErrorCode.INVALID_REQUEST:
      return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
  }
}

function connectionTestStatus(error: ConnectionTestError): GrpcStatusError {
  const detail: Detail = { reason: error.code, testResult: error.testResult };
  switch (error.code) {
    case ConnectionTestErrorCode.TEST_FAILED: {
      const code = error.testResult?.errorCode;
      if (code === dataplane.TestErrorCode.INVALID_CONFIGURATION) {
        return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
      }
      const grpcCode = code !== undefined && UNREACHABLE.has(code) ? grpc.status.UNAVAILABLE : grpc.status.FAILED_PRECONDITION;
      return status(grpcCode, `connection test failed: ${error.message}`, detail);
    }
    case ConnectionTestErrorCode.DRIVER_UNAVAILABLE:
      return status(grpc.status.UNIMPLEMENTED, error.message, detail);
    case ConnectionTestErrorCode.DATAPLANE_UNAVAILABLE:
      return status(grpc.status.UNAVAILABLE, error.message, detail);
  }
}

function secretsManagerStatus(error: SecretsManagerError): GrpcStatusError {
  const detail: Detail = { reason: error.code, field: error.field };
  switch (error.code) {
    case SecretsManagerErrorCode.NOT_FOUND:
      return status(grpc.status.NOT_FOUND, error.message, detail);
    case SecretsManagerErrorCode.NAME_TAKEN:
      return status(grpc.status.ALREADY_EXISTS, error.message, detail);
    case SecretsManagerErrorCode.IN_USE:
    case SecretsManagerErrorCode.LOGIN_REFUSED:
    case SecretsManagerErrorCode.TOKEN_PATH_NO_MATCH:
    case SecretsManagerErrorCode.SECRET_FETCH_REFUSED:
    case SecretsManagerErrorCode.DATA_PATH_NO_MATCH:
    case SecretsManagerErrorCode.INVALID_RESPONSE:
      return status(grpc.status.FAILED_PRECONDITION, error.message, detail);
    case SecretsManagerErrorCode.LOGIN_UNREACHABLE:
    case SecretsManagerErrorCode.SECRET_UNREACHABLE:
      return status(grpc.status.UNAVAILABLE, error.message, detail);
    case SecretsManagerErrorCode.INVALID_CONFIGURATION:
      return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
  }
}

function secretReferenceStatus(error: SecretReferenceError): GrpcStatusError {
  const detail: Detail = { reason: error.code, field: error.field };
  switch (error.code) {
    case SecretReferenceErrorCode.MALFORMED_REFERENCE:
      return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
    case SecretReferenceErrorCode.REFERENCE_NOT_FOUND:
      return status(grpc.status.FAILED_PRECONDITION, error.message, detail);
  }
}

function operationStatus(error: OperationError): GrpcStatusError {
  const detail: Detail = { reason: error.code, field: error.field };
  switch (error.code) {
    case OperationErrorCode.NOT_FOUND:
      return status(grpc.status.NOT_FOUND, error.message, detail);
    case OperationErrorCode.INVALID_REQUEST:
      return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
    case OperationErrorCode.ALREADY_FINISHED:
    case OperationErrorCode.STALE_FENCING_TOKEN:
      return status(grpc.status.FAILED_PRECONDITION, error.message, detail);
    case OperationErrorCode.QUEUE_UNAVAILABLE:
      return status(grpc.status.UNAVAILABLE, error.message, detail);
  }
}

function networkPolicyStatus(error: NetworkPolicyError): GrpcStatusError {
  const detail: Detail = { reason: error.code, field: error.field };
  switch (error.code) {
    case NetworkPolicyErrorCode.DENIED_ADDRESS:
    case NetworkPolicyErrorCode.INVALID_URL:
      return status(grpc.status.INVALID_ARGUMENT, error.message, detail);
    case NetworkPolicyErrorCode.UNRESOLVABLE_HOST:
      return status(grpc.status.UNAVAILABLE, error.message, detail);
    case NetworkPolicyErrorCode.INVALID_POLICY:
      return status(grpc.status.INTERNAL, 'the controlplane network policy is misconfigured; see its logs', detail);
  }
}

/**
 * The controlplane's one gRPC error mapper. Unknown errors are logged and answered
 * with a bare INTERNAL: their text may come from a driver and is never forwarded.
 */
export function controlplaneErrorMapper(logger: Logger) {
  return (error: unknown, method: { name: string }): GrpcStatusError => {
    if (error instanceof GrpcStatusError) return error;
    if (error instanceof ConnectionError) return connectionStatus(error);
    if (error instanceof DatastoreError) return datastoreStatus(error);
    if (error instanceof ConnectionTestError) return connectionTestStatus(error);
    if (error instanceof KeyError) return keyErrorStatus(error);
    if (error instanceof SecretsManagerError) return secretsManagerStatus(error);
    if (error instanceof SecretReferenceError) return secretReferenceStatus(error);
    if (error instanceof NetworkPolicyError) return networkPolicyStatus(error);
    if (error instanceof OperationError) return operationStatus(error);
    if (error instanceof ValidationError) {
      return status(grpc.status.INVALID_ARGUMENT, error.message, { reason: error.code, field: error.field });
    }
    logger.error({ method: method.name, err: error }, 'unexpected error in handler');
    return status(grpc.status.INTERNAL, 'internal error; see controlplane logs', { reason: 'INTERNAL' });
  };
}
