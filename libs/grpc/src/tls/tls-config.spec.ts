import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate } from '../../../testing/src/pki';
import { channelCredentials, loadTlsConfig, serverCredentials, TlsConfigError, TlsConfigErrorCode, TlsEnv } from './tls-config';

describe(loadTlsConfig.name, () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) };
  const file = (name: string, content: string): string => {
    const path = join(directory, name);
    writeFileSync(path, content);
    return path;
  };
  const failure = (candidate: NodeJS.ProcessEnv): TlsConfigError => {
    try {
      loadTlsConfig(candidate, logger);
    } catch (error) {
      if (error instanceof TlsConfigError) return error;
      throw error;
    }
    throw new Error('expected loadTlsConfig to throw');
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'plumbline-tls-config-'));
    const ca = await createCa({ commonName: 'test CA', validDays: 1 });
    const otherCa = await createCa({ commonName: 'other CA', validDays: 1 });
    const dataplane = await issueCertificate(ca, { identity: 'dataplane', validDays: 1 });
    const controlplane = await issueCertificate(ca, { identity: 'controlplane', validDays: 1 });
    const stranger = await issueCertificate(otherCa, { identity: 'dataplane', validDays: 1 });
    file('ca.crt', ca.certPem);
    file('dataplane.crt', dataplane.certPem);
    file('dataplane.key', dataplane.keyPem);
    file('controlplane.key', controlplane.keyPem);
    file('stranger.crt', stranger.certPem);
    file('stranger.key', stranger.keyPem);
    file('garbage.pem', 'not a certificate');
  });

  beforeEach(() => {
    warnings.length = 0;
    env = {
      [TlsEnv.Ca]: join(directory, 'ca.crt'),
      [TlsEnv.Cert]: join(directory, 'dataplane.crt'),
      [TlsEnv.Key]: join(directory, 'dataplane.key'),
    };
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads the three files into an mtls config', () => {
    const sut = loadTlsConfig(env, logger);

    expect(sut.mode).toBe('mtls');
    if (sut.mode !== 'mtls') return;
    expect(sut.cert.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(sut.key.toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(sut.paths.ca).toBe(env[TlsEnv.Ca]);
    expect(warnings).toEqual([]);
    expect(serverCredentials(sut)._isSecure()).toBe(true);
    expect(channelCredentials(sut)._isSecure()).toBe(true);
  });

  it.each([TlsEnv.Ca, TlsEnv.Cert, TlsEnv.Key])('names %s when it is missing', (variable) => {
    const sut = failure({ ...env, [variable]: undefined });

    expect(sut.code).toBe(TlsConfigErrorCode.MissingVariable);
    expect(sut.variable).toBe(variable);
    expect(sut.message).toContain(variable);
    expect(sut.message).toContain(TlsEnv.InsecureDev);
  });

  it('treats a blank variable as missing', () => {
    expect(failure({ ...env, [TlsEnv.Cert]: '  ' }).code).toBe(TlsConfigErrorCode.MissingVariable);
  });

  it('refuses to start with no configuration at all', () => {
    const sut = failure({});

    expect(sut.code).toBe(TlsConfigErrorCode.MissingVariable);
    expect(sut.variable).toBe(TlsEnv.Ca);
  });

  it('names the variable and the path of a file that cannot be read', () => {
    const missing = join(directory, 'nope.key');

    const sut = failure({ ...env, [TlsEnv.Key]: missing });

    expect(sut.code).toBe(TlsConfigErrorCode.UnreadableFile);
    expect(sut.variable).toBe(TlsEnv.Key);
    expect(sut.path).toBe(missing);
    expect(sut.message).toContain('ENOENT');
  });

  it.each([TlsEnv.Ca, TlsEnv.Cert, TlsEnv.Key])('names %s when its file is not PEM of the right kind', (variable) => {
    const sut = failure({ ...env, [variable]: join(directory, 'garbage.pem') });

    expect(sut.code).toBe(TlsConfigErrorCode.InvalidPem);
    expect(sut.variable).toBe(variable);
    expect(sut.message).not.toContain('not a certificate');
  });

  it('refuses a leaf certificate as the CA', () => {
    const sut = failure({ ...env, [TlsEnv.Ca]: join(directory, 'dataplane.crt') });

    expect(sut.code).toBe(TlsConfigErrorCode.InvalidPem);
    expect(sut.variable).toBe(TlsEnv.Ca);
  });

  it('refuses a key that does not belong to the certificate, without echoing the key', () => {
    const sut = failure({ ...env, [TlsEnv.Key]: join(directory, 'controlplane.key') });

    expect(sut.code).toBe(TlsConfigErrorCode.Mismatch);
    expect(sut.variable).toBe(TlsEnv.Key);
    expect(sut.message).not.toContain('PRIVATE KEY');
  });

  it('refuses a certificate the CA did not sign', () => {
    const sut = failure({ ...env, [TlsEnv.Cert]: join(directory, 'stranger.crt'), [TlsEnv.Key]: join(directory, 'stranger.key') });

    expect(sut.code).toBe(TlsConfigErrorCode.Mismatch);
    expect(sut.variable).toBe(TlsEnv.Cert);
  });

  it('runs insecure only when asked, with a loud multi-line warning', () => {
    const sut = loadTlsConfig({ [TlsEnv.InsecureDev]: 'true' }, logger);

    expect(sut).toEqual({ mode: 'insecure' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.split('\n').length).toBeGreaterThan(3);
    expect(warnings[0]).toContain('WARNING');
    expect(serverCredentials(sut)._isSecure()).toBe(false);
    expect(channelCredentials(sut)._isSecure()).toBe(false);
  });

  it('stays secure when the insecure flag is "false"', () => {
    expect(loadTlsConfig({ ...env, [TlsEnv.InsecureDev]: 'false' }, logger).mode).toBe('mtls');
    expect(failure({ [TlsEnv.InsecureDev]: 'false' }).code).toBe(TlsConfigErrorCode.MissingVariable);
  });

  it.each(['1', 'yes', 'on'])('refuses the ambiguous insecure flag %j', (value) => {
    const sut = failure({ [TlsEnv.InsecureDev]: value });

    expect(sut.code).toBe(TlsConfigErrorCode.InvalidInsecureFlag);
    expect(sut.variable).toBe(TlsEnv.InsecureDev);
  });

  it('refuses the insecure flag together with certificates', () => {
    const sut = failure({ ...env, [TlsEnv.InsecureDev]: 'true' });

    expect(sut.code).toBe(TlsConfigErrorCode.InvalidInsecureFlag);
    expect(sut.message).toContain(TlsEnv.Ca);
    expect(warnings).toEqual([]);
  });

  it('refuses the insecure flag in production', () => {
    const sut = failure({ [TlsEnv.InsecureDev]: 'true', NODE_ENV: 'production' });

    expect(sut.code).toBe(TlsConfigErrorCode.InvalidInsecureFlag);
    expect(sut.message).toContain('production');
  });
});
