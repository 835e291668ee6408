import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createCa, issueCertificate } from '../../../testing/src/pki';
import { ANY_IDENTITY, decideAccess, identityInterceptor, type IdentityRules } from './identity-interceptor';
import { peerIdentity, resolvePeerIdentity, type PeerAuthContext } from './peer-identity';

const authOf = (certPem: string): PeerAuthContext => ({
  transportSecurityType: 'ssl',
  sslPeerCertificate: { raw: new X509Certificate(certPem).raw } as PeerCertificate,
});

describe(decideAccess.name, () => {
  const rules: IdentityRules = {
    'plumbline.controlplane.v1.OperationBroker': ['dataplane'],
    '/plumbline.dataplane.v1.DataplaneService': ['controlplane'],
    'plumbline.controlplane.v1.ConnectionService': [ANY_IDENTITY],
    'plumbline.controlplane.v1.ConnectionService/DeleteConnection': ['admin'],
  };
  let controlplane: PeerAuthContext;
  let dataplane: PeerAuthContext;

  beforeAll(async () => {
    const ca = await createCa({ commonName: 'test CA', validDays: 1 });
    controlplane = authOf((await issueCertificate(ca, { identity: 'controlplane', validDays: 1 })).certPem);
    dataplane = authOf((await issueCertificate(ca, { identity: 'dataplane', validDays: 1 })).certPem);
  });

  it('allows only the dataplane to call OperationBroker', () => {
    expect(decideAccess(rules, '/plumbline.controlplane.v1.OperationBroker/Start', dataplane)).toEqual({ allowed: true, identity: 'dataplane' });
    expect(decideAccess(rules, '/plumbline.controlplane.v1.OperationBroker/Start', controlplane)).toMatchObject({
      allowed: false,
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it('allows only the controlplane to call DataplaneService (leading slash in the rule is fine)', () => {
    expect(decideAccess(rules, '/plumbline.dataplane.v1.DataplaneService/TestConnection', controlplane)).toMatchObject({ allowed: true });
    expect(decideAccess(rules, '/plumbline.dataplane.v1.DataplaneService/TestConnection', dataplane)).toMatchObject({ allowed: false });
  });

  it('does not treat a service name as a prefix of a longer one', () => {
    expect(decideAccess(rules, '/plumbline.dataplane.v1.DataplaneServiceAdmin/Wipe', controlplane)).toMatchObject({
      allowed: false,
      code: grpc.status.PERMISSION_DENIED,
      details: expect.stringContaining('no identity rule'),
    });
  });

  it('lets a method rule override its service rule', () => {
    expect(decideAccess(rules, '/plumbline.controlplane.v1.ConnectionService/GetConnection', dataplane)).toMatchObject({ allowed: true });
    expect(decideAccess(rules, '/plumbline.controlplane.v1.ConnectionService/DeleteConnection', dataplane)).toMatchObject({ allowed: false });
  });

  it('opens health and reflection to any authenticated peer, and to no one else', () => {
    for (const path of [
      '/grpc.health.v1.Health/Check',
      '/grpc.health.v1.Health/Watch',
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
    ]) {
      expect(decideAccess(rules, path, dataplane)).toMatchObject({ allowed: true });
      expect(decideAccess(rules, path, {})).toMatchObject({ allowed: false, code: grpc.status.UNAUTHENTICATED });
    }
  });

  it('refuses a path no rule covers (fail closed)', () => {
    expect(decideAccess({}, '/plumbline.controlplane.v1.OperationBroker/Start', dataplane)).toMatchObject({
      allowed: false,
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it.each<[string, PeerAuthContext | null]>([
    ['no auth context', null],
    ['plain text', {}],
    ['ssl without a certificate', { transportSecurityType: 'ssl' }],
    ['an empty certificate', { transportSecurityType: 'ssl', sslPeerCertificate: { raw: Buffer.alloc(0) } as PeerCertificate }],
  ])('answers UNAUTHENTICATED for %s', (_, auth) => {
    expect(decideAccess(rules, '/plumbline.dataplane.v1.DataplaneService/TestConnection', auth)).toMatchObject({
      allowed: false,
      code: grpc.status.UNAUTHENTICATED,
    });
  });

  it('answers PERMISSION_DENIED for a certificate it cannot parse', () => {
    const garbage: PeerAuthContext = { transportSecurityType: 'ssl', sslPeerCertificate: { raw: Buffer.from('junk') } as PeerCertificate };

    expect(decideAccess(rules, '/plumbline.dataplane.v1.DataplaneService/TestConnection', garbage)).toMatchObject({
      allowed: false,
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it.each(['', 'a/b/c', '/a//b', 'pkg.Service/'])('rejects the malformed rule key %j', (key) => {
    expect(() => identityInterceptor({ [key]: ['controlplane'] }, { insecure: false })).toThrow('identity rule');
  });
});

describe(resolvePeerIdentity.name, () => {
  it('reads the SPIFFE URI SAN, not the CN or a DNS name', async () => {
    const ca = await createCa({ commonName: 'test CA', validDays: 1 });
    const cert = await issueCertificate(ca, { identity: 'dataplane', dnsNames: ['controlplane'], validDays: 1 });

    expect(resolvePeerIdentity(authOf(cert.certPem))).toEqual({ kind: 'identity', identity: 'dataplane' });
  });

  it('is not fooled by a DNS name that spells out a SPIFFE URI', async () => {
    const ca = await createCa({ commonName: 'test CA', validDays: 1 });
    const cert = await issueCertificate(ca, { identity: 'dataplane', dnsNames: ['x, URI:spiffe://plumbline/controlplane'], validDays: 1 });

    expect(resolvePeerIdentity(authOf(cert.certPem))).toEqual({ kind: 'identity', identity: 'dataplane' });
  });

  it('answers no identity for a certificate without a Plumbline URI SAN', async () => {
    const ca = await createCa({ commonName: 'controlplane', validDays: 1 });

    expect(resolvePeerIdentity(authOf(ca.certPem))).toMatchObject({ kind: 'no-identity' });
  });
});

describe(peerIdentity.name, () => {
  it('returns the caller identity, or undefined without a certificate', async () => {
    const ca = await createCa({ commonName: 'test CA', validDays: 1 });
    const cert = await issueCertificate(ca, { identity: 'controlplane', validDays: 1 });

    expect(peerIdentity({ getAuthContext: () => authOf(cert.certPem) })).toBe('controlplane');
    expect(peerIdentity({ getAuthContext: () => ({}) })).toBeUndefined();
  });
});
