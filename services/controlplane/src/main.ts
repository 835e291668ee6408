import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger } from '@plumbline/common';
import { AppModule } from './app.module';
import { rootLogger } from './logging/logger.provider';

/** The controlplane has no HTTP server: its API is gRPC, so a bare application context suffices. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: new NestPinoLogger(rootLogger),
    abortOnError: false,
  });
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  rootLogger.fatal({ err: error }, 'controlplane failed to start');
  process.exit(1);
});
