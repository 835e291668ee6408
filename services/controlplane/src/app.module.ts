import { Global, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { CryptoModule } from './crypto/crypto.module';
import { DatabaseModule } from './database/database.module';
import { GrpcModule } from './grpc/grpc.module';
import { loggerProvider } from './logging/logger.provider';

@Global()
@Module({
  imports: [ConfigModule, CryptoModule, DatabaseModule, GrpcModule],
  providers: [loggerProvider],
  exports: [loggerProvider],
})
export class AppModule {}
