import { Module } from '@nestjs/common';
import { DATAPLANE_CONFIG, loadConfig } from './config/config';
import { ConnectionTestsGrpcHandler } from './connection-tests/connection-tests.grpc';
import { GrpcServer } from './grpc/grpc-server';
import { tlsProvider } from './grpc/tls.provider';
import { loggerProvider } from './logging/logger.provider';
import { OperationRunner } from './operations/operation-runner';
import { OperationWorker } from './operations/operation-worker';

@Module({
  providers: [
    { provide: DATAPLANE_CONFIG, useFactory: () => loadConfig() },
    tlsProvider,
    loggerProvider,
    ConnectionTestsGrpcHandler,
    GrpcServer,
    OperationRunner,
    OperationWorker,
  ],
})
export class AppModule {}
