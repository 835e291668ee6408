import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONTROLPLANE_CONFIG, type ControlplaneConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { dataSourceOptions } from './data-source';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule],
      inject: [CONTROLPLANE_CONFIG],
      useFactory: (config: ControlplaneConfig) => ({
        ...dataSourceOptions(config.PLUMBLINE_DATABASE_URL),
        migrationsRun: config.PLUMBLINE_MIGRATIONS_RUN,
        // Fail fast at start-up instead of retrying for half a minute.
        retryAttempts: 2,
        retryDelay: 500,
      }),
    }),
  ],
  providers: [UnitOfWork],
  exports: [UnitOfWork],
})
export class DatabaseModule {}
