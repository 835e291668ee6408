import { Module } from '@nestjs/common';
import { DATAPLANE_CONFIG, loadConfig } from './config/config';
import { ConnectionTestsGrpcHandler } from './connection-tests/connection-tests.grpc';
import { GrpcServer } from './grpc/grpc-server';
import { tlsProvider } from './grpc/tls.provider';
import { loggerProvider } from './logging/logger.provider';

@Module({
  providers: [
    { provide: DATAPLANE_CONFIG, useFactory: () => loadConfig() },
    tlsProvider,
    loggerProvider,
    ConnectionTestsGrpcHandler,
    GrpcServer,
  ],
})
export class AppModule {}
