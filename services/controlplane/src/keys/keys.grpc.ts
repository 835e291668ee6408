import { Injectable } from '@nestjs/common';
import type { CallContext, ImplementationOf } from '@plumbline/grpc';
import { controlplane } from '@plumbline/proto';
import { toKeyVersionMessage, toRotateKeysResponse } from './key.mapper';
import { KeyRotationService } from './key-rotation.service';

/** gRPC face of key administration: unpacks requests, packs responses, nothing else. */
@Injectable()
export class KeysGrpcHandler implements ImplementationOf<typeof controlplane.KeyService> {
  constructor(private readonly keys: KeyRotationService) {}

  async listKeys() {
    return { keys: (await this.keys.list()).map(toKeyVersionMessage) };
  }

  async *rotateKeys(request: controlplane.RotateKeysRequest, context: CallContext) {
    const progress = this.keys.rotate({
      addKeyVersion: request.addKeyVersion,
      newVersion: request.newVersion,
      batchSize: request.batchSize,
      signal: context.signal,
    });
    for await (const step of progress) yield toRotateKeysResponse(step);
  }

  async retireKey(request: controlplane.RetireKeyRequest) {
    await this.keys.retire(request.version);
    return {};
  }
}
