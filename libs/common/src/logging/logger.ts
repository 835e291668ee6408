import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

/**
 * Keys whose values are never written, wherever they appear in a log object.
 * Belt and braces: code must not log secrets in the first place; this catches
 * the property bag that slips into a log call anyway.
 */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'client_secret',
  'private_key',
  'private_key_passphrase',
  'secret_access_key',
  'account_key',
  'access_token',
  'service_account_json',
  'keytab',
  'credentials',
  'properties',
  'authorization',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export function createLogger(service: string, level = process.env.PLUMBLINE_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous: lines logged while a write is under way go out together in the next one,
    // instead of one blocking system call each. pino flushes what is left when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Lets NestJS write through the same redacting pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
