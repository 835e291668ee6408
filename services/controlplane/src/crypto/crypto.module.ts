import { Global, Module } from '@nestjs/common';
import { SecretCipher, keyRingFromEnv } from './index';

@Global()
@Module({
  providers: [{ provide: SecretCipher, useFactory: () => new SecretCipher(keyRingFromEnv(process.env)) }],
  exports: [SecretCipher],
})
export class CryptoModule {}
