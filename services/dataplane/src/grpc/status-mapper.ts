import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { GrpcStatusError } from '@plumbline/grpc';
import {
  ConnectionTestRequestError,
  ConnectionTestRequestErrorCode,
} from '../connection-tests/connection-test.errors';

function requestStatus(error: ConnectionTestRequestError): GrpcStatusError {
  switch (error.code) {
    case ConnectionTestRequestErrorCode.INVALID_TARGET:
      return new GrpcStatusError(grpc.status.INVALID_ARGUMENT, error.message);
    case ConnectionTestRequestErrorCode.CONNECTOR_NOT_IMPLEMENTED:
      return new GrpcStatusError(grpc.status.UNIMPLEMENTED, error.message);
  }
}

/**
 * The dataplane's one gRPC error mapper. Anything unexpected may carry driver
 * text (and so a secret): only its class name is logged, nothing is forwarded.
 */
export function dataplaneErrorMapper(logger: Logger) {
  return (error: unknown, method: { name: string }): GrpcStatusError => {
    if (error instanceof ConnectionTestRequestError) return requestStatus(error);
    logger.error({ method: method.name, errorName: (error as Error | undefined)?.name }, 'unexpected error in handler');
    return new GrpcStatusError(grpc.status.INTERNAL, 'internal error in the dataplane');
  };
}
