import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createCa, issueCertificate, PkiError, spiffeIdOf, type CertificateAuthority } from './pki';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

describe(issueCertificate.name, () => {
  let ca: CertificateAuthority;

  beforeAll(async () => {
    ca = await createCa({ commonName: 'Plumbline test CA', validDays: 2 });
  });

  it('creates a P-256 CA that signs itself', () => {
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toContain('CN=Plumbline test CA');
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(caCert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
  });

  it('carries the identity as CN and SPIFFE URI SAN, with loopback names and both key usages', async () => {
    const sut = await issueCertificate(ca, { identity: 'dataplane', validDays: 1 });

    const cert = new X509Certificate(sut.certPem);
    expect(sut.spiffeId).toBe('spiffe://plumbline/dataplane');
    expect(cert.subject).toContain('CN=dataplane');
    expect(cert.subjectAltName?.split(', ')).toEqual(
      expect.arrayContaining(['URI:spiffe://plumbline/dataplane', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']),
    );
    expect(cert.keyUsage).toEqual(expect.arrayContaining([SERVER_AUTH, CLIENT_AUTH]));
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(sut.keyPem))).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('adds extra DNS names and IPs, and can leave loopback out', async () => {
    const sut = await issueCertificate(ca, {
      identity: 'controlplane',
      dnsNames: ['controlplane.plumbline.svc'],
      ipAddresses: ['10.0.0.7'],
      loopback: false,
      validDays: 1,
    });

    const cert = new X509Certificate(sut.certPem);
    expect(cert.checkHost('controlplane.plumbline.svc')).toBe('controlplane.plumbline.svc');
    expect(cert.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(cert.checkHost('localhost')).toBeUndefined();
  });

  it('never outlives its CA', async () => {
    const sut = await issueCertificate(ca, { identity: 'dataplane', validDays: 365 });

    expect(new Date(new X509Certificate(sut.certPem).validTo).getTime()).toBeLessThanOrEqual(
      new Date(new X509Certificate(ca.certPem).validTo).getTime(),
    );
  });

  it('is not trusted by another CA', async () => {
    const otherCa = await createCa({ commonName: 'Someone else', validDays: 1 });
    const sut = await issueCertificate(otherCa, { identity: 'controlplane', validDays: 1 });

    const cert = new X509Certificate(sut.certPem);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(false);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(false);
  });

  it.each(['', '.', '..', 'a/b', 'spiffe://x', 'with space', 'ümlaut'])('refuses identity %j', async (identity) => {
    await expect(issueCertificate(ca, { identity, validDays: 1 })).rejects.toBeInstanceOf(PkiError);
  });

  it('refuses a non-positive lifetime', async () => {
    await expect(createCa({ commonName: 'x', validDays: 0 })).rejects.toBeInstanceOf(PkiError);
  });
});

describe(spiffeIdOf.name, () => {
  it('builds the URI in the plumbline trust domain', () => {
    expect(spiffeIdOf('controlplane')).toBe('spiffe://plumbline/controlplane');
  });
});
