import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate } from '@plumbline/testing';
import { CliError, CliErrorCode } from '../errors/cli-error';
import { clientCredentials, resolveTlsFiles } from './tls';

function thrown(work: () => unknown): CliError {
  try {
    work();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe(resolveTlsFiles.name, () => {
  it('defaults to .pki/ relative to the working directory', () => {
    expect(resolveTlsFiles({}, {}, '/repo')).toEqual({
      ca: { path: '/repo/.pki/ca.crt', source: 'default' },
      cert: { path: '/repo/.pki/cli.crt', source: 'default' },
      key: { path: '/repo/.pki/cli.key', source: 'default' },
    });
  });

  it('prefers a flag over the environment over the default, per file', () => {
    const sut = resolveTlsFiles(
      { ca: '/etc/ca.pem' },
      { PLUMBLINE_TLS_CA: '/env/ca.pem', PLUMBLINE_TLS_CERT: 'certs/me.crt', PLUMBLINE_TLS_KEY: ' ' },
      '/work',
    );
    expect(sut.ca).toEqual({ path: '/etc/ca.pem', source: 'flag' });
    expect(sut.cert).toEqual({ path: '/work/certs/me.crt', source: 'env' });
    expect(sut.key).toEqual({ path: '/work/.pki/cli.key', source: 'default' });
  });
});

describe(clientCredentials.name, () => {
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'plumbline-cli-tls-'));
    const ca = await createCa({ commonName: 'cli test CA', validDays: 1 });
    const cli = await issueCertificate(ca, { identity: 'cli', validDays: 1 });
    mkdirSync(join(directory, '.pki'));
    writeFileSync(join(directory, '.pki', 'ca.crt'), ca.certPem);
    writeFileSync(join(directory, '.pki', 'cli.crt'), cli.certPem);
    writeFileSync(join(directory, '.pki', 'cli.key'), cli.keyPem);
    writeFileSync(join(directory, 'garbage.pem'), 'not a pem');
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('builds mTLS credentials from the default .pki/ files', () => {
    expect(clientCredentials({}, {}, directory)._isSecure()).toBe(true);
  });

  it('says what is missing, where it looked and how to fix it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'plumbline-cli-nopki-'));
    try {
      const sut = thrown(() => clientCredentials({}, {}, empty));
      expect(sut.code).toBe(CliErrorCode.MissingCertificate);
      expect(sut.message).toBe(`cannot read the CA certificate ${join(empty, '.pki/ca.crt')} (ENOENT; from default)`);
      expect(sut.hints.join(' ')).toContain('pnpm pki');
      expect(sut.hints.join(' ')).toContain('--insecure');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('names the environment variable a bad path came from', () => {
    const sut = thrown(() => clientCredentials({}, { PLUMBLINE_TLS_CERT: join(directory, 'absent.crt') }, directory));
    expect(sut.message).toContain('client certificate');
    expect(sut.message).toContain('from PLUMBLINE_TLS_CERT');
  });

  it('refuses a file that is not PEM', () => {
    const sut = thrown(() => clientCredentials({ key: 'garbage.pem' }, {}, directory));
    expect(sut.message).toBe(`the client private key ${join(directory, 'garbage.pem')} is not a PEM file (from --key)`);
  });

  it('is plaintext with --insecure and reads no file', () => {
    expect(clientCredentials({ insecure: true }, {}, '/nonexistent')._isSecure()).toBe(false);
  });

  it('refuses --insecure together with certificate flags', () => {
    const sut = thrown(() => clientCredentials({ insecure: true, cert: 'x.crt' }, {}, directory));
    expect(sut.code).toBe(CliErrorCode.Usage);
    expect(sut.message).toBe('--insecure cannot be combined with --cert');
  });
});
