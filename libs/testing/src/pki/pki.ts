import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The internal certificate authority for mutual TLS between the planes, and
 * the certificates it issues. Used by tests (a fresh CA per run, nothing
 * committed) and by `pnpm pki` for local development. Production deployments
 * bring certificates from their own PKI; only the identity convention below
 * has to match.
 */

x509.cryptoProvider.set(webcrypto);

/** Every service identity is carried as this URI SAN: `spiffe://plumbline/<identity>`. */
export const SPIFFE_TRUST_DOMAIN = 'plumbline';

/** The identities the two planes present to each other. */
export const ServiceIdentity = {
  Controlplane: 'controlplane',
  Dataplane: 'dataplane',
} as const;
export type ServiceIdentity = (typeof ServiceIdentity)[keyof typeof ServiceIdentity];

/** A SPIFFE path segment: letters, digits, dot, dash, underscore; not "." or "..". */
const IDENTITY_PATTERN = /^[A-Za-z0-9._-]+$/;

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
/** Issued certificates start slightly in the past so peers with a skewed clock accept them. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A CA as PEM text: enough to issue more certificates and to write to disk. */
export interface CertificateAuthority {
  /** PEM "CERTIFICATE". */
  readonly certPem: string;
  /** PEM "PRIVATE KEY" (PKCS#8, ECDSA P-256). */
  readonly keyPem: string;
}

export interface IssuedCertificate {
  /** PEM "CERTIFICATE", signed by the CA. */
  readonly certPem: string;
  /** PEM "PRIVATE KEY" (PKCS#8, ECDSA P-256). */
  readonly keyPem: string;
  readonly identity: string;
  /** `spiffe://plumbline/<identity>`, the URI SAN peers check. */
  readonly spiffeId: string;
}

export interface CreateCaOptions {
  readonly commonName: string;
  readonly validDays: number;
}

export interface IssueCertificateOptions {
  /** `controlplane`, `dataplane`, or another service identity. */
  readonly identity: ServiceIdentity | (string & NonNullable<unknown>);
  /** Extra DNS SANs (e.g. Kubernetes service names). */
  readonly dnsNames?: readonly string[];
  /** Extra IP SANs. */
  readonly ipAddresses?: readonly string[];
  /** Also name `localhost`, 127.0.0.1 and ::1 (default true). */
  readonly loopback?: boolean;
  readonly validDays: number;
}

export class PkiError extends Error {
  override readonly name = 'PkiError';
}

export function spiffeIdOf(identity: string): string {
  if (!IDENTITY_PATTERN.test(identity) || identity === '.' || identity === '..') {
    throw new PkiError(`identity "${identity}" must be one SPIFFE path segment: letters, digits, ".", "-", "_"`);
  }
  return `spiffe://${SPIFFE_TRUST_DOMAIN}/${identity}`;
}

export async function createCa(options: CreateCaOptions): Promise<CertificateAuthority> {
  assertValidDays(options.validDays);
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [options.commonName] }, { O: ['Plumbline'] }],
    notBefore: new Date(now - CLOCK_SKEW_MS),
    notAfter: new Date(now + options.validDays * DAY_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPkcs8Pem(keys.privateKey) };
}

/**
 * Issues a certificate usable both as a TLS server and as a TLS client (each
 * service is both), carrying the identity as CN and as the SPIFFE URI SAN.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  assertValidDays(options.validDays);
  const spiffeId = spiffeIdOf(options.identity);
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importPkcs8Pem(ca.keyPem);
  const keys = await generateKeyPair();

  const loopback = options.loopback ?? true;
  const dnsNames = unique([...(loopback ? ['localhost'] : []), ...(options.dnsNames ?? [])]);
  const ipAddresses = unique([...(loopback ? ['127.0.0.1', '::1'] : []), ...(options.ipAddresses ?? [])]);
  const sans: x509.JsonGeneralName[] = [
    { type: 'url', value: spiffeId },
    ...dnsNames.map((value): x509.JsonGeneralName => ({ type: 'dns', value })),
    ...ipAddresses.map((value): x509.JsonGeneralName => ({ type: 'ip', value })),
  ];

  const now = Date.now();
  const notAfter = Math.min(now + options.validDays * DAY_MS, caCert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [options.identity] }, { O: ['Plumbline'] }],
    issuer: caCert.subjectName,
    notBefore: new Date(now - CLOCK_SKEW_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return {
    certPem: cert.toString('pem'),
    keyPem: await exportPkcs8Pem(keys.privateKey),
    identity: options.identity,
    spiffeId,
  };
}

function assertValidDays(validDays: number): void {
  if (!Number.isFinite(validDays) || validDays <= 0) {
    throw new PkiError(`validDays must be a positive number, got ${validDays}`);
  }
}

function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function exportPkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPkcs8Pem(pem: string): Promise<webcrypto.CryptoKey> {
  const [der] = x509.PemConverter.decode(pem);
  if (!der) {
    throw new PkiError('CA key is not a PEM "PRIVATE KEY"');
  }
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}

/** 16 random bytes, high bit clear so the DER integer stays positive. */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
