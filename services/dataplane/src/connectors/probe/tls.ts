import { type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { dataplane } from '@plumbline/proto';
import { type Endpoint } from './endpoint';
import { certificateProblemOf, errorCodeOf, errorMessageOf } from './errors';
import {
  notApplicable,
  passed,
  StepError,
  type StepContext,
  type StepErrorOptions,
  type StepOutcome,
} from './step-recorder';

const { TestErrorCode } = dataplane;

/** libpq's sslmode values; the MySQL connector maps its own names onto these. */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface TlsSettings {
  readonly mode: SslMode;
  /** PEM CA bundle to trust instead of the system store. */
  readonly ca?: string;
}

/**
 * Node TLS options for `settings` (libpq semantics): `require` encrypts without
 * verifying, `verify-ca` checks the chain, `verify-full` also checks that the
 * certificate names the configured host. Connections go to the resolved IP, so
 * the identity check and SNI use the configured host explicitly.
 */
export function tlsClientOptions(settings: TlsSettings, host: string): ConnectionOptions {
  const verify = settings.mode === 'verify-ca' || settings.mode === 'verify-full';
  return {
    rejectUnauthorized: verify,
    ...(settings.ca ? { ca: [settings.ca] } : {}),
    ...(isIP(host) ? {} : { servername: host }),
    checkServerIdentity: settings.mode === 'verify-full' ? (_name, cert) => checkServerIdentity(host, cert) : () => undefined,
  };
}

/**
 * The TLS step's verdict once we know whether the server offers TLS. Resolves
 * with whether the login should use TLS; a required-but-missing TLS fails.
 */
export function decideTls(
  settings: TlsSettings,
  offered: boolean,
  endpoint: Endpoint,
  /** What the server said it is (e.g. its version), shown next to its address. */
  server?: string,
): StepOutcome<boolean> {
  const where = server ? `${endpoint.described} (${server})` : endpoint.described;
  if (settings.mode === 'disable') return notApplicable('ssl_mode is disable; TLS not attempted', false);
  if (offered) return passed(`${where} offers TLS`, undefined, true);
  if (settings.mode === 'prefer') {
    return passed(
      `${where}: server does not offer TLS; continuing unencrypted (ssl_mode prefer)`,
      'credentials and data travel in clear text: enable TLS on the server, or set ssl_mode disable to make this explicit',
      false,
    );
  }
  throw new StepError(
    TestErrorCode.TLS_FAILED,
    `${where}: server does not offer TLS, but ssl_mode is ${settings.mode}`,
    'enable TLS on the server, or set ssl_mode to prefer or disable if unencrypted connections are acceptable',
  );
}

/** What a certificate or handshake failure means for a person, as a TLS_FAILED StepError. */
export function tlsError(
  error: unknown,
  endpoint: Endpoint,
  settings: TlsSettings,
  options: StepErrorOptions = {},
): StepError {
  const where = endpoint.described;
  switch (certificateProblemOf(error)) {
    case 'hostname':
      return new StepError(
        TestErrorCode.TLS_FAILED,
        `the TLS certificate of ${where} does not name ${endpoint.host}`,
        `connect with a host name the certificate lists, or use ssl_mode verify-ca to check the chain only`,
        options,
      );
    case 'expired':
      return new StepError(
        TestErrorCode.TLS_FAILED,
        `the TLS certificate of ${where} is expired or not yet valid`,
        "renew the server certificate, and check the server's and the dataplane's clocks",
        options,
      );
    case 'untrusted':
      return new StepError(
        TestErrorCode.TLS_FAILED,
        `the TLS certificate of ${where} is not trusted (${errorMessageOf(error)})`,
        settings.ca
          ? 'the certificate is not signed by the CA in ssl_ca: paste the CA that issued the server certificate'
          : 'set ssl_ca to the PEM of the CA that signed the server certificate, or use ssl_mode require to encrypt without verification',
        options,
      );
    case undefined:
      return new StepError(
        TestErrorCode.TLS_FAILED,
        `TLS handshake with ${where} failed (${errorCodeOf(error) ?? errorMessageOf(error)})`,
        "check the server's TLS configuration (protocol versions, ciphers) and that the port speaks this database's protocol",
        options,
      );
  }
}

/** Describes an established TLS session for the step message. */
export function describeTlsSession(socket: TLSSocket, settings: TlsSettings, endpoint: Endpoint): string {
  const protocol = socket.getProtocol() ?? 'TLS';
  const verified =
    settings.mode === 'verify-full'
      ? `certificate verified for ${endpoint.host}`
      : settings.mode === 'verify-ca'
        ? 'certificate chain verified (host name not checked: verify-ca)'
        : `certificate not verified (ssl_mode ${settings.mode})`;
  return `${protocol} with ${endpoint.described}; ${verified}`;
}

/**
 * Runs a TLS handshake over an already connected socket (after the database
 * protocol's "upgrade to TLS" exchange). Resolves with the TLS socket; the
 * caller destroys it. Failures are TLS_FAILED with a certificate-aware hint.
 */
export function upgradeToTls(
  socket: Socket,
  settings: TlsSettings,
  endpoint: Endpoint,
  context: StepContext,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ ...tlsClientOptions(settings, endpoint.host), socket });
    const onAbort = () => {
      secure.destroy();
      reject(new Error('aborted'));
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    secure.once('secureConnect', () => {
      context.signal.removeEventListener('abort', onAbort);
      secure.on('error', () => undefined);
      resolve(secure);
    });
    secure.once('error', (error) => {
      context.signal.removeEventListener('abort', onAbort);
      secure.destroy();
      reject(tlsError(error, endpoint, settings));
    });
  });
}
