import { Global, Module } from '@nestjs/common';
import { CONTROLPLANE_CONFIG, loadConfig } from './config';

@Global()
@Module({
  providers: [{ provide: CONTROLPLANE_CONFIG, useFactory: () => loadConfig() }],
  exports: [CONTROLPLANE_CONFIG],
})
export class ConfigModule {}
