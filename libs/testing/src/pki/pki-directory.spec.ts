import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePkiDirectory, pkiPaths } from './pki-directory';

describe(ensurePkiDirectory.name, () => {
  let directory: string;
  const read = (name: string) => readFileSync(join(directory, name), 'utf8');

  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), 'plumbline-pki-')), '.pki');
  });

  afterEach(() => rmSync(join(directory, '..'), { recursive: true, force: true }));

  it('creates a CA and a certificate per identity, keys readable by the owner only', async () => {
    const sut = await ensurePkiDirectory(directory);

    expect(sut.map((file) => [file.subject, file.action])).toEqual([
      ['ca', 'created'],
      ['controlplane', 'created'],
      ['dataplane', 'created'],
    ]);
    for (const key of ['ca.key', 'controlplane.key', 'dataplane.key']) {
      expect(statSync(join(directory, key)).mode & 0o777).toBe(0o600);
    }
    const paths = pkiPaths(directory, 'dataplane');
    const cert = new X509Certificate(readFileSync(paths.cert));
    expect(cert.checkIssued(new X509Certificate(readFileSync(paths.ca)))).toBe(true);
    expect(cert.subjectAltName).toContain('URI:spiffe://plumbline/dataplane');
    expect(cert.checkHost('dataplane')).toBe('dataplane');
  });

  it('keeps valid files on a second run', async () => {
    await ensurePkiDirectory(directory);
    const before = [read('ca.crt'), read('controlplane.crt'), read('dataplane.key')];

    const sut = await ensurePkiDirectory(directory);

    expect(sut.every((file) => file.action === 'kept')).toBe(true);
    expect([read('ca.crt'), read('controlplane.crt'), read('dataplane.key')]).toEqual(before);
  });

  it('reissues only a broken certificate, with the existing CA', async () => {
    await ensurePkiDirectory(directory);
    const ca = read('ca.crt');
    const controlplane = read('controlplane.crt');
    writeFileSync(join(directory, 'dataplane.key'), read('controlplane.key'));

    const sut = await ensurePkiDirectory(directory);

    expect(sut.find((file) => file.subject === 'dataplane')).toMatchObject({ action: 'replaced', reason: 'key does not match certificate' });
    expect([read('ca.crt'), read('controlplane.crt')]).toEqual([ca, controlplane]);
  });

  it('starts over with --force, reissuing every certificate under the new CA', async () => {
    await ensurePkiDirectory(directory);
    const ca = read('ca.crt');

    const sut = await ensurePkiDirectory(directory, { force: true });

    expect(sut.every((file) => file.action === 'replaced')).toBe(true);
    expect(read('ca.crt')).not.toBe(ca);
    expect(new X509Certificate(read('controlplane.crt')).checkIssued(new X509Certificate(read('ca.crt')))).toBe(true);
  });

  it('replaces certificates that expire within the renewal window', async () => {
    await ensurePkiDirectory(directory, { certValidDays: 2 });

    const sut = await ensurePkiDirectory(directory, { renewWithinDays: 3 });

    expect(sut.map((file) => file.action)).toEqual(['kept', 'replaced', 'replaced']);
  });

  it('tightens the mode of an existing key it overwrites', async () => {
    await ensurePkiDirectory(directory);
    writeFileSync(join(directory, 'dataplane.key'), 'junk', { mode: 0o644 });

    await ensurePkiDirectory(directory);

    expect(statSync(join(directory, 'dataplane.key')).mode & 0o777).toBe(0o600);
  });
});
