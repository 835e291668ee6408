import type { MessageInitShape } from '@bufbuild/protobuf';
import type { controlplane } from '@plumbline/proto';
import type { KeyVersionUsage, RotationProgress } from './key-rotation.service';

/** A key version as the API shows it: name, primary flag, usage. Never a key. */
export function toKeyVersionMessage(usage: KeyVersionUsage): MessageInitShape<typeof controlplane.KeyVersionSchema> {
  return { version: usage.version, primary: usage.primary, ciphertexts: BigInt(usage.ciphertexts) };
}

export function toRotateKeysResponse(
  progress: RotationProgress,
): MessageInitShape<typeof controlplane.RotateKeysResponseSchema> {
  return {
    primaryVersion: progress.primaryVersion,
    reencrypted: BigInt(progress.reencrypted),
    remaining: BigInt(progress.remaining),
    done: progress.done,
  };
}
