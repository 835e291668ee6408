import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CliError, CliErrorCode } from '../errors/cli-error';
import { readStdinValue, readValueFile, trimFinalNewline } from './readers';

async function rejection(work: Promise<unknown>): Promise<CliError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe(trimFinalNewline.name, () => {
  it.each([
    ['secret\n', 'secret'],
    ['secret\r\n', 'secret'],
    ['secret\n\n', 'secret\n'],
    ['secret', 'secret'],
    ['  spaced  \n', '  spaced  '],
  ])('%j becomes %j', (input, expected) => {
    expect(trimFinalNewline(input)).toBe(expected);
  });
});

describe(readValueFile.name, () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'plumbline-cli-readers-'));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads a PEM keeping its inner newlines and dropping the final one', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----\n';
    const path = join(directory, 'ca.pem');
    writeFileSync(path, pem);
    await expect(readValueFile(path, '--property-file ssl_ca')).resolves.toBe(pem.slice(0, -1));
  });

  it('reads a password file as written by echo', async () => {
    const path = join(directory, 'pw.txt');
    writeFileSync(path, 'correct horse\n');
    await expect(readValueFile(path, '--property-file password')).resolves.toBe('correct horse');
  });

  it('names the flag, the path and the reason when the file is missing', async () => {
    const path = join(directory, 'absent.txt');
    const sut = await rejection(readValueFile(path, '--property-file password'));
    expect(sut.code).toBe(CliErrorCode.UnreadableFile);
    expect(sut.message).toBe(`--property-file password: cannot read ${path} (ENOENT)`);
  });

  it('refuses an empty path', async () => {
    expect((await rejection(readValueFile(' ', '--credentials-file'))).code).toBe(CliErrorCode.Usage);
  });

  it('uses the injected reader', async () => {
    await expect(readValueFile('x', '--f', async () => Buffer.from('value\n'))).resolves.toBe('value');
  });
});

describe(readStdinValue.name, () => {
  it('reads every chunk and drops the final newline', async () => {
    await expect(readStdinValue(Readable.from([Buffer.from('pa'), Buffer.from('ss\n')]), '--password-stdin')).resolves.toBe(
      'pass',
    );
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('pässwörd');
    await expect(readStdinValue(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]), '--password-stdin')).resolves.toBe(
      'pässwörd',
    );
  });

  it('refuses empty input naming the flag', async () => {
    const sut = await rejection(readStdinValue(Readable.from([Buffer.from('\n')]), '--password-stdin'));
    expect(sut.code).toBe(CliErrorCode.Usage);
    expect(sut.message).toBe('--password-stdin: nothing was read from stdin');
  });
});
