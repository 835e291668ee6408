import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from './errors/exit-codes';
import { runCli } from './program';
import { captureIo } from './testing/factories';

// Nothing listens here: a command that dialled would exit 4, so a 2 proves the
// flags were refused before any call.
const NOWHERE = ['--address', '127.0.0.1:1', '--insecure', '--timeout', '2000'];

describe(runCli.name, () => {
  let emptyDir: string;

  beforeAll(() => {
    emptyDir = mkdtempSync(join(tmpdir(), 'plumbline-cli-program-'));
  });

  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('prints help with the exit codes and succeeds', async () => {
    const io = captureIo();
    await expect(runCli(['--help'], io)).resolves.toBe(ExitCode.Ok);
    expect(io.out()).toContain('Exit codes:');
    expect(io.out()).toContain('connector-types');
  });

  it.each([
    [['bogus']],
    [['connections', 'list', '--bogus']],
    [['connections']],
    [['connections', 'show']],
    [['keys', 'rotate', '--batch-size', '0']],
    [['--timeout', 'soon', 'keys', 'list']],
  ])('exits 2 on bad usage: %j', async (argv) => {
    const io = captureIo();
    await expect(runCli([...NOWHERE, ...argv], io)).resolves.toBe(ExitCode.Usage);
    expect(io.err()).not.toBe('');
  });

  it('refuses a test without --connector before dialling', async () => {
    const io = captureIo();
    await expect(runCli([...NOWHERE, 'connections', 'test', '--scope', 'database=x'], io)).resolves.toBe(ExitCode.Usage);
    expect(io.err()).toContain('--connector is required');
  });

  it('refuses new-connection flags next to --connection', async () => {
    const io = captureIo();
    const argv = [...NOWHERE, 'datastores', 'create', '--name', 'd', '--connection', 'c1', '--property', 'host=x'];
    await expect(runCli(argv, io)).resolves.toBe(ExitCode.Usage);
    expect(io.err()).toContain('--property cannot be combined with --connection');
  });

  it('refuses a property given by flag and by stdin', async () => {
    const io = captureIo({ stdin: 'from-stdin\n' });
    const argv = [...NOWHERE, 'connections', 'test', '--connector', 'postgresql', '--property', 'password=x', '--password-stdin'];
    await expect(runCli(argv, io)).resolves.toBe(ExitCode.Usage);
    expect(io.err()).toContain('"password" is given more than once');
    expect(io.err()).not.toContain('from-stdin');
  });

  it('refuses --password-stdin with nothing on stdin', async () => {
    const io = captureIo({ stdin: '' });
    const argv = [...NOWHERE, 'connections', 'test', '--connector', 'postgresql', '--password-stdin'];
    await expect(runCli(argv, io)).resolves.toBe(ExitCode.Usage);
    expect(io.err()).toContain('--password-stdin: nothing was read from stdin');
  });

  it('explains missing certificates with exit 2', async () => {
    const io = captureIo({ cwd: emptyDir });
    await expect(runCli(['--address', '127.0.0.1:1', 'connections', 'list'], io)).resolves.toBe(ExitCode.Usage);
    expect(io.err()).toContain(`cannot read the CA certificate ${join(emptyDir, '.pki/ca.crt')}`);
    expect(io.err()).toContain('pnpm pki');
  });

  it('exits 4 when the controlplane cannot be reached, and says where it tried', async () => {
    const io = captureIo();
    await expect(runCli([...NOWHERE, 'connections', 'list'], io)).resolves.toBe(ExitCode.Unreachable);
    expect(io.err()).toContain('cannot reach the controlplane at 127.0.0.1:1');
  });

  it('reports a failure as one JSON object on stderr with --json', async () => {
    const io = captureIo();
    await expect(runCli([...NOWHERE, '--json', 'connections', 'list'], io)).resolves.toBe(ExitCode.Unreachable);
    expect(JSON.parse(io.err())).toEqual({ error: expect.objectContaining({ status: 'UNAVAILABLE', exitCode: 4 }) });
    expect(io.out()).toBe('');
  });

  it('takes the address from PLUMBLINE_ADDRESS', async () => {
    const io = captureIo({ env: { PLUMBLINE_ADDRESS: '127.0.0.1:2' } });
    await expect(runCli(['--insecure', '--timeout', '2000', 'keys', 'list'], io)).resolves.toBe(ExitCode.Unreachable);
    expect(io.err()).toContain('127.0.0.1:2');
  });
});
