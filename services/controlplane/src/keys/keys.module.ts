import { Module } from '@nestjs/common';
import { KeyRotationService } from './key-rotation.service';
import { KeysGrpcHandler } from './keys.grpc';
import { KeysRepository } from './keys.repository';

/** At-rest key administration (KeyService). KeyRingStore and SecretCipher come from the global CryptoModule. */
@Module({
  providers: [KeysRepository, KeyRotationService, KeysGrpcHandler],
  exports: [KeysGrpcHandler],
})
export class KeysModule {}
