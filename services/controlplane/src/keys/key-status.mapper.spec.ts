import * as grpc from '@grpc/grpc-js';
import { errorDetailOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { KeyError, KeyErrorCode } from './key.errors';
import { keyErrorStatus } from './key-status.mapper';

describe(keyErrorStatus.name, () => {
  const expectedStatus: Record<KeyErrorCode, grpc.status> = {
    [KeyErrorCode.INVALID_REQUEST]: grpc.status.INVALID_ARGUMENT,
    [KeyErrorCode.VERSION_UNKNOWN]: grpc.status.NOT_FOUND,
    [KeyErrorCode.VERSION_EXISTS]: grpc.status.ALREADY_EXISTS,
    [KeyErrorCode.KEYRING_NOT_FILE]: grpc.status.FAILED_PRECONDITION,
    [KeyErrorCode.KEYRING_UNAVAILABLE]: grpc.status.FAILED_PRECONDITION,
    [KeyErrorCode.VERSION_IN_USE]: grpc.status.FAILED_PRECONDITION,
    [KeyErrorCode.VERSION_IS_PRIMARY]: grpc.status.FAILED_PRECONDITION,
    [KeyErrorCode.CIPHERTEXT_UNREADABLE]: grpc.status.FAILED_PRECONDITION,
    [KeyErrorCode.ROTATION_IN_PROGRESS]: grpc.status.ABORTED,
    [KeyErrorCode.ROTATION_INCOMPLETE]: grpc.status.ABORTED,
  };

  it.each(Object.entries(expectedStatus))('maps %s and carries the reason, field and blocking rows', (code, status) => {
    const sut = keyErrorStatus(new KeyError(code as KeyErrorCode, `because ${code}`, { field: 'version', blockingIds: ['r1'] }));
    expect(sut.code).toBe(status);
    expect(sut.message).toBe(`because ${code}`);
    const trailer = sut.toStatus();
    const detail = errorDetailOf({ metadata: trailer.metadata }, controlplane.ErrorDetailSchema);
    expect(detail).toMatchObject({ reason: code, field: 'version', blockingIds: ['r1'] });
  });
});
