import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger } from '@plumbline/common';
import { AppModule } from './app.module';
import { rootLogger } from './logging/logger.provider';

/** The dataplane is a gRPC server and (later) a queue worker: no HTTP, a bare application context. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: new NestPinoLogger(rootLogger),
    abortOnError: false,
  });
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  rootLogger.fatal({ errorName: (error as Error | undefined)?.name, message: (error as Error | undefined)?.message }, 'dataplane failed to start');
  process.exit(1);
});
