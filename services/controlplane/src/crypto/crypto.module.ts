import { Global, Module } from '@nestjs/common';
import { rootLogger } from '../logging/logger.provider';
import { KeyRingStore, SecretCipher } from './index';

/**
 * The key ring (kept current from PLUMBLINE_KEYRING_FILE, or fixed from
 * PLUMBLINE_KEYRING) and the cipher that reads it on every call, so a key
 * rotation takes effect without a restart.
 */
@Global()
@Module({
  providers: [
    {
      provide: KeyRingStore,
      useFactory: () => KeyRingStore.fromEnv(process.env, { warn: (message) => rootLogger.warn(message) }),
    },
    { provide: SecretCipher, inject: [KeyRingStore], useFactory: (store: KeyRingStore) => new SecretCipher(store) },
  ],
  exports: [KeyRingStore, SecretCipher],
})
export class CryptoModule {}
