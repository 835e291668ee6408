import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, issueCertificate, spiffeIdOf, ServiceIdentity, type CertificateAuthority } from './pki';

/**
 * A directory of PEM files laid out as the services expect them
 * (`ca.crt`, `ca.key`, `<identity>.crt`, `<identity>.key`): `.pki/` for
 * local development (`pnpm pki`), a temporary directory for end-to-end tests.
 */

export interface EnsurePkiOptions {
  /** Identities to issue; default controlplane and dataplane. */
  readonly identities?: readonly string[];
  /** Regenerate everything even if the existing files are valid. */
  readonly force?: boolean;
  readonly caValidDays?: number;
  readonly certValidDays?: number;
  /** Files expiring sooner than this are replaced (default 7 days). */
  readonly renewWithinDays?: number;
}

export type PkiFileAction = 'created' | 'kept' | 'replaced';

export interface PkiFileReport {
  /** `ca` or the identity. */
  readonly subject: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly action: PkiFileAction;
  /** Why an existing file was replaced. */
  readonly reason?: string;
  readonly notAfter: Date;
}

export interface PkiPaths {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The paths a service with this identity is pointed at (PLUMBLINE_TLS_CA / _CERT / _KEY). */
export function pkiPaths(directory: string, identity: string): PkiPaths {
  return { ca: join(directory, 'ca.crt'), cert: join(directory, `${identity}.crt`), key: join(directory, `${identity}.key`) };
}

/**
 * Makes sure `directory` holds a valid CA and one valid certificate per
 * identity, keeping whatever is already there and still good (idempotent).
 * A new CA means every certificate is reissued. Keys are written 0600.
 */
export async function ensurePkiDirectory(directory: string, options: EnsurePkiOptions = {}): Promise<PkiFileReport[]> {
  const identities = options.identities ?? [ServiceIdentity.Controlplane, ServiceIdentity.Dataplane];
  const renewWithinMs = (options.renewWithinDays ?? 7) * DAY_MS;
  const caValidDays = options.caValidDays ?? 3650;
  const certValidDays = options.certValidDays ?? 365;
  identities.forEach((identity) => spiffeIdOf(identity));

  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const reports: PkiFileReport[] = [];

  const caPaths = { cert: join(directory, 'ca.crt'), key: join(directory, 'ca.key') };
  const caProblem = options.force ? 'forced' : problemWithCa(caPaths, renewWithinMs);
  let ca: CertificateAuthority;
  if (caProblem === undefined) {
    ca = { certPem: readFileSync(caPaths.cert, 'utf8'), keyPem: readFileSync(caPaths.key, 'utf8') };
    reports.push(report('ca', caPaths, 'kept', ca.certPem));
  } else {
    const existed = existsSync(caPaths.cert) || existsSync(caPaths.key);
    ca = await createCa({ commonName: 'Plumbline development CA', validDays: caValidDays });
    writePair(caPaths, ca);
    reports.push(report('ca', caPaths, existed ? 'replaced' : 'created', ca.certPem, existed ? caProblem : undefined));
  }
  const caReplaced = caProblem !== undefined;

  for (const identity of identities) {
    const paths = pkiPaths(directory, identity);
    const problem = caReplaced ? 'new CA' : problemWithCertificate(paths, ca, identity, renewWithinMs);
    if (problem === undefined) {
      reports.push(report(identity, paths, 'kept', readFileSync(paths.cert, 'utf8')));
      continue;
    }
    const existed = existsSync(paths.cert) || existsSync(paths.key);
    const issued = await issueCertificate(ca, { identity, dnsNames: [identity], validDays: certValidDays });
    writePair(paths, issued);
    reports.push(report(identity, paths, existed ? 'replaced' : 'created', issued.certPem, existed ? problem : undefined));
  }
  return reports;
}

/** Undefined when the CA files are present, match, and are valid for a while yet. */
function problemWithCa(paths: { cert: string; key: string }, renewWithinMs: number): string | undefined {
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    return 'missing';
  }
  try {
    const cert = new X509Certificate(readFileSync(paths.cert));
    if (!cert.ca) {
      return 'not a CA certificate';
    }
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(paths.key)))) {
      return 'key does not match certificate';
    }
    return problemWithValidity(cert, renewWithinMs);
  } catch {
    return 'unreadable';
  }
}

function problemWithCertificate(
  paths: PkiPaths,
  ca: CertificateAuthority,
  identity: string,
  renewWithinMs: number,
): string | undefined {
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    return 'missing';
  }
  try {
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(readFileSync(paths.cert));
    if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) {
      return 'not signed by the current CA';
    }
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(paths.key)))) {
      return 'key does not match certificate';
    }
    if (!(cert.subjectAltName ?? '').split(', ').includes(`URI:${spiffeIdOf(identity)}`)) {
      return 'identity missing';
    }
    return problemWithValidity(cert, renewWithinMs);
  } catch {
    return 'unreadable';
  }
}

function problemWithValidity(cert: X509Certificate, renewWithinMs: number): string | undefined {
  const now = Date.now();
  if (now < Date.parse(cert.validFrom)) {
    return 'not yet valid';
  }
  if (Date.parse(cert.validTo) - now < renewWithinMs) {
    return 'expired or expiring soon';
  }
  return undefined;
}

function writePair(paths: { cert: string; key: string }, pair: { certPem: string; keyPem: string }): void {
  // `mode` only applies to new files: tighten an existing key before overwriting it.
  if (existsSync(paths.key)) {
    chmodSync(paths.key, 0o600);
  }
  writeFileSync(paths.key, pair.keyPem, { mode: 0o600 });
  writeFileSync(paths.cert, pair.certPem, { mode: 0o644 });
}

function report(
  subject: string,
  paths: { cert: string; key: string },
  action: PkiFileAction,
  certPem: string,
  reason?: string,
): PkiFileReport {
  return {
    subject,
    certPath: paths.cert,
    keyPath: paths.key,
    action,
    ...(reason === undefined ? {} : { reason }),
    notAfter: new Date(new X509Certificate(certPem).validTo),
  };
}
