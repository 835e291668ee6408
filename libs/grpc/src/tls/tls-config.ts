import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

/**
 * Where a service finds its mTLS material. Both planes serve and call gRPC with
 * the same certificate, so one set of variables configures both directions.
 */
export const TlsEnv = {
  /** PEM file: the internal CA that signs every service certificate. */
  Ca: 'PLUMBLINE_TLS_CA',
  /** PEM file: this service's certificate (SPIFFE URI SAN = its identity). */
  Cert: 'PLUMBLINE_TLS_CERT',
  /** PEM file: this service's private key (PKCS#8). */
  Key: 'PLUMBLINE_TLS_KEY',
  /** `true` to run without TLS, for local development only. */
  InsecureDev: 'PLUMBLINE_INSECURE_DEV',
} as const;

export type TlsConfig =
  | {
      readonly mode: 'mtls';
      readonly ca: Buffer;
      readonly cert: Buffer;
      readonly key: Buffer;
      /** The files the material came from, for log lines. */
      readonly paths: { readonly ca: string; readonly cert: string; readonly key: string };
    }
  | { readonly mode: 'insecure' };

export enum TlsConfigErrorCode {
  /** A PLUMBLINE_TLS_* variable is unset and insecure mode is not enabled. */
  MissingVariable = 'MISSING_VARIABLE',
  /** A variable names a file that cannot be read. */
  UnreadableFile = 'UNREADABLE_FILE',
  /** A file is not the PEM it should be (certificate or private key). */
  InvalidPem = 'INVALID_PEM',
  /** The certificate does not belong to the private key, or the CA did not sign it. */
  Mismatch = 'MISMATCH',
  /** The certificate or CA is outside its validity period. */
  Expired = 'EXPIRED',
  /** PLUMBLINE_INSECURE_DEV is set together with certificates, set to something other than true/false, or set in production. */
  InvalidInsecureFlag = 'INVALID_INSECURE_FLAG',
}

/** Names the variable (and file) at fault; never includes file contents. */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';

  constructor(
    readonly code: TlsConfigErrorCode,
    readonly variable: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

export interface TlsWarningLogger {
  warn(message: string): void;
}

const INSECURE_WARNING = [
  '************************************************************************',
  '*  WARNING: PLUMBLINE_INSECURE_DEV=true -- gRPC runs WITHOUT TLS.       *',
  '*  Peers are not authenticated, traffic (including decrypted           *',
  '*  connection credentials) is sent in clear text, and identity checks  *',
  '*  are switched off. Never use this outside a local development box.   *',
  '*  Run `pnpm pki` and set PLUMBLINE_TLS_CA / _CERT / _KEY instead.      *',
  '************************************************************************',
].join('\n');

/**
 * Reads the mTLS material named by the environment, or accepts insecure mode
 * when (and only when) `PLUMBLINE_INSECURE_DEV=true`. Throws TlsConfigError
 * naming the missing variable or bad file: services refuse to start rather
 * than fall back to plain text.
 */
export function loadTlsConfig(
  env: NodeJS.ProcessEnv = process.env,
  logger: TlsWarningLogger = { warn: (message) => process.stderr.write(`${message}\n`) },
): TlsConfig {
  const paths = { ca: nonEmpty(env[TlsEnv.Ca]), cert: nonEmpty(env[TlsEnv.Cert]), key: nonEmpty(env[TlsEnv.Key]) };
  const insecure = parseInsecureFlag(env[TlsEnv.InsecureDev]);

  if (insecure) {
    const set = [TlsEnv.Ca, TlsEnv.Cert, TlsEnv.Key].filter((name) => nonEmpty(env[name]) !== undefined);
    if (set.length > 0) {
      throw new TlsConfigError(
        TlsConfigErrorCode.InvalidInsecureFlag,
        TlsEnv.InsecureDev,
        `${TlsEnv.InsecureDev}=true cannot be combined with ${set.join(', ')}: unset one or the other`,
      );
    }
    if (env.NODE_ENV === 'production') {
      throw new TlsConfigError(
        TlsConfigErrorCode.InvalidInsecureFlag,
        TlsEnv.InsecureDev,
        `${TlsEnv.InsecureDev}=true is refused when NODE_ENV=production`,
      );
    }
    logger.warn(INSECURE_WARNING);
    return { mode: 'insecure' };
  }

  const ca = readPem(TlsEnv.Ca, paths.ca);
  const cert = readPem(TlsEnv.Cert, paths.cert);
  const key = readPem(TlsEnv.Key, paths.key);
  verifyMaterial({ ca, cert, key });
  return { mode: 'mtls', ca: ca.data, cert: cert.data, key: key.data, paths: { ca: ca.path, cert: cert.path, key: key.path } };
}

/** Server side: mTLS with a client certificate REQUIRED and verified against the CA. */
export function serverCredentials(tls: TlsConfig): grpc.ServerCredentials {
  if (tls.mode === 'insecure') {
    return grpc.ServerCredentials.createInsecure();
  }
  return grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/** Client side: trusts only the internal CA and presents this service's certificate. */
export function channelCredentials(tls: TlsConfig): grpc.ChannelCredentials {
  if (tls.mode === 'insecure') {
    return grpc.credentials.createInsecure();
  }
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
}

interface PemFile {
  readonly variable: string;
  readonly path: string;
  readonly data: Buffer;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseInsecureFlag(raw: string | undefined): boolean {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined || value === 'false') {
    return false;
  }
  if (value === 'true') {
    return true;
  }
  throw new TlsConfigError(
    TlsConfigErrorCode.InvalidInsecureFlag,
    TlsEnv.InsecureDev,
    `${TlsEnv.InsecureDev} must be "true" or "false"`,
  );
}

function readPem(variable: string, path: string | undefined): PemFile {
  if (path === undefined) {
    throw new TlsConfigError(
      TlsConfigErrorCode.MissingVariable,
      variable,
      `${variable} is not set: point ${TlsEnv.Ca}, ${TlsEnv.Cert} and ${TlsEnv.Key} at PEM files ` +
        `(\`pnpm pki\` makes development ones in .pki/), or set ${TlsEnv.InsecureDev}=true for local development`,
    );
  }
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read failed';
    throw new TlsConfigError(TlsConfigErrorCode.UnreadableFile, variable, `${variable}: cannot read ${path} (${reason})`, path);
  }
  return { variable, path, data };
}

function verifyMaterial(files: { ca: PemFile; cert: PemFile; key: PemFile }): void {
  const ca = parseCertificate(files.ca);
  const cert = parseCertificate(files.cert);
  const key = parsePrivateKey(files.key);

  if (!ca.ca) {
    throw invalid(TlsConfigErrorCode.InvalidPem, files.ca, 'is not a CA certificate (basicConstraints CA:FALSE)');
  }
  if (!cert.checkPrivateKey(key)) {
    throw invalid(TlsConfigErrorCode.Mismatch, files.key, `is not the private key of ${files.cert.path}`);
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw invalid(TlsConfigErrorCode.Mismatch, files.cert, `is not signed by the CA in ${files.ca.path}`);
  }
  const now = Date.now();
  for (const [file, parsed] of [[files.ca, ca], [files.cert, cert]] as const) {
    if (now < Date.parse(parsed.validFrom) || now > Date.parse(parsed.validTo)) {
      throw invalid(TlsConfigErrorCode.Expired, file, `is not valid now (valid ${parsed.validFrom} to ${parsed.validTo})`);
    }
  }
}

function parseCertificate(file: PemFile): X509Certificate {
  try {
    return new X509Certificate(file.data);
  } catch {
    throw invalid(TlsConfigErrorCode.InvalidPem, file, 'is not a PEM certificate');
  }
}

function parsePrivateKey(file: PemFile): KeyObject {
  try {
    return createPrivateKey(file.data);
  } catch {
    throw invalid(TlsConfigErrorCode.InvalidPem, file, 'is not an unencrypted PEM private key');
  }
}

function invalid(code: TlsConfigErrorCode, file: PemFile, problem: string): TlsConfigError {
  return new TlsConfigError(code, file.variable, `${file.variable}: ${file.path} ${problem}`, file.path);
}
