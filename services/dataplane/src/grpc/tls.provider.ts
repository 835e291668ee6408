import { loadTlsConfig } from '@plumbline/grpc';

/** mTLS material (or the loud insecure dev mode), loaded once at start-up. */
export const TLS_CONFIG = Symbol('TLS_CONFIG');

export const tlsProvider = { provide: TLS_CONFIG, useFactory: () => loadTlsConfig(process.env) };
