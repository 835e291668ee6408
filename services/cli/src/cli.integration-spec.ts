import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO_ROOT,
  closedLoopbackPort,
  createPostgresDatabase,
  postgresAdmin,
  startPlumblineStack,
  startVaultFake,
  uniqueName,
  type PlumblineStack,
  type TestDatabase,
  type VaultFake,
} from '@plumbline/testing';

jest.setTimeout(90_000);

const BIN = join(REPO_ROOT, 'services', 'cli', 'bin', 'plumbline.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The built CLI as a real process against both services over mTLS, on a fresh
 * controlplane database and a source database on the local PostgreSQL.
 */
describe('plumbline CLI (built, as a process, over mTLS)', () => {
  let controlplaneDb: TestDatabase;
  let stack: PlumblineStack;
  let sourceDb: string;
  let keyRingDir: string;
  let vault: VaultFake;
  const runs: Run[] = [];
  // Local trust auth does not check it: it is only here to prove it never leaks.
  const password = `plb-cli-pw-${randomBytes(9).toString('hex')}`;
  const vaultPassword = `plb-cli-vault-${randomBytes(9).toString('hex')}`;
  const vaultSecret = `plb-cli-kv-${randomBytes(9).toString('hex')}`;

  /** Runs `plumbline <args>` with the test PKI and nothing from this process's PLUMBLINE_* environment. */
  function cli(args: readonly string[], stdin = ''): Promise<Run> {
    const tls = stack.pki.certificates.cli;
    if (!tls) throw new Error('the test PKI has no cli certificate');
    const globals = ['--address', stack.controlplaneAddress, '--ca', stack.pki.caPath, '--cert', tls.certPath, '--key', tls.keyPath];
    const child = spawn(process.execPath, [BIN, ...globals, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.end(stdin);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => {
        const run = { code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
        runs.push(run);
        resolve(run);
      });
    });
  }

  const postgresFlags = (port = '5432') => [
    '--connector',
    'postgresql',
    '--property',
    'host=127.0.0.1',
    '--property',
    `port=${port}`,
    '--property',
    'username=postgres',
    '--property',
    'ssl_mode=disable',
  ];

  const listConnections = async () => {
    const run = await cli(['--json', 'connections', 'list']);
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { connections: Array<Record<string, unknown>> }).connections;
  };

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'services', 'cli', 'dist', 'main.js'))) {
      throw new Error('services/cli is not built: run `pnpm exec tsc -b tsconfig.build.json` first');
    }
    sourceDb = uniqueName('plb_cli_src');
    await postgresAdmin((admin) => admin.query(`CREATE DATABASE "${sourceDb}"`));
    await postgresAdmin(
      (client) =>
        client.query(`
          CREATE SCHEMA sales;
          CREATE SCHEMA marketing;
          CREATE TABLE sales.orders (id int PRIMARY KEY, amount numeric);
          INSERT INTO sales.orders VALUES (1, 10.5), (2, NULL);
          CREATE TABLE marketing.campaigns (id int PRIMARY KEY, name text);
        `),
      sourceDb,
    );
    vault = await startVaultFake({
      users: { plumbline: vaultPassword },
      secrets: { 'db/pg': { pg_user: 'postgres', pg_password: vaultSecret } },
    });
    controlplaneDb = await createPostgresDatabase('plb_cli_cp');
    // A key ring file, so `keys rotate --add` can add a version to it.
    keyRingDir = mkdtempSync(join(tmpdir(), 'plumbline-cli-keys-'));
    const keyRingFile = join(keyRingDir, 'keyring');
    writeFileSync(keyRingFile, `v1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    stack = await startPlumblineStack({ databaseUrl: controlplaneDb.url, keyRingFile });
  });

  afterAll(async () => {
    await stack?.stop();
    await vault?.close();
    await controlplaneDb?.drop();
    if (sourceDb) await postgresAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${sourceDb}" WITH (FORCE)`));
    if (keyRingDir) rmSync(keyRingDir, { recursive: true, force: true });
  });

  it('lists the connector types', async () => {
    const run = await cli(['connector-types', 'list']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^postgresql +PostgreSQL +JDBC +basic\* +yes$/m);
    expect(run.stdout).toContain('snowflake');
  });

  it('shows the property schema of one connector and exits 3 for an unknown one', async () => {
    const run = await cli(['connector-types', 'show', 'postgresql']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Auth method basic (');
    expect(run.stdout).toMatch(/^password +string +no +yes /m);
    expect(run.stdout).toMatch(/^ssl_mode +enum +\S+ +no +prefer +disable, prefer/m);
    expect(run.stdout).toMatch(/^schema +\S+ +yes +no +public/m);

    const unknown = await cli(['connector-types', 'show', 'mongodb']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no connector type "mongodb"');
  });

  it('creates a datastore with a new connection, printing the steps then the rows', async () => {
    const run = await cli(
      [
        'datastores',
        'create',
        '--name',
        'sales',
        '--connection-name',
        'local-pg',
        ...postgresFlags(),
        '--password-stdin',
        '--scope',
        `database=${sourceDb}`,
        '--scope',
        'schema=sales',
      ],
      `${password}\n`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✔ DNS_RESOLVE/m);
    expect(run.stdout).toMatch(/^✔ TCP_CONNECT/m);
    expect(run.stdout).toMatch(/^✔ ok \(\d+ ms\)/m);
    expect(run.stdout).toMatch(/^name: +sales$/m);
    expect(run.stdout).toMatch(/ local-pg +postgresql +basic +1 +- /);
    expect(run.stdout.indexOf('TCP_CONNECT')).toBeLessThan(run.stdout.indexOf('local-pg'));
  });

  it('lists connections as JSON with the password masked', async () => {
    const [connection, ...others] = await listConnections();
    expect(others).toEqual([]);
    expect(connection).toMatchObject({
      name: 'local-pg',
      connector: 'postgresql',
      kind: 'CONNECTION_KIND_JDBC',
      datastoreCount: 1,
      secretPropertiesSet: ['password'],
      properties: { host: '127.0.0.1', port: '5432', username: 'postgres', ssl_mode: 'disable', password: '********' },
    });
  });

  it('fails a connection test on a closed port with exit 1 and prints the refused step', async () => {
    const port = await closedLoopbackPort();
    const run = await cli([
      'connections',
      'test',
      ...postgresFlags(String(port)),
      '--scope',
      `database=${sourceDb}`,
      '--scope',
      'schema=sales',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^✘ TCP_CONNECT +\\d+ ms {2}CONNECTION_REFUSED: .*${port}`, 'm'));
    expect(run.stdout).toMatch(/^ {4}hint: /m);
    expect(run.stdout).toMatch(/^· AUTHENTICATE .*skipped/m);
    expect(run.stdout).toMatch(/^✘ FAILED CONNECTION_REFUSED/m);
  });

  it('refuses to create a datastore on an unreachable source with exit 1, printing the diagnosis', async () => {
    const port = await closedLoopbackPort();
    const run = await cli([
      'datastores',
      'create',
      '--name',
      'nowhere',
      ...postgresFlags(String(port)),
      '--scope',
      `database=${sourceDb}`,
      '--scope',
      'schema=sales',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[UNAVAILABLE]');
    expect(run.stderr).toContain('reason: CONNECTION_TEST_FAILED');
    expect(run.stderr).toMatch(/^ {4}✘ TCP_CONNECT .*CONNECTION_REFUSED/m);
    expect(await listConnections()).toHaveLength(1);
  });

  it('tests the saved connection against a new scope', async () => {
    const [connection] = await listConnections();
    const run = await cli([
      'connections',
      'test',
      '--connection',
      String(connection?.id),
      '--scope',
      `database=${sourceDb}`,
      '--scope',
      'schema=marketing',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✔ SCOPE_PROBE/m);
  });

  it('creates a second datastore on the existing connection', async () => {
    const [connection] = await listConnections();
    const run = await cli([
      'datastores',
      'create',
      '--name',
      'marketing',
      '--connection',
      String(connection?.id),
      '--scope',
      `database=${sourceDb}`,
      '--scope',
      'schema=marketing',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^name: +marketing$/m);
    expect(run.stdout).toMatch(/ local-pg +postgresql +basic +2 +- /);

    const listed = await cli(['datastores', 'list', '--connection', String(connection?.id)]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('schema=sales');
    expect(listed.stdout).toContain('schema=marketing');
  });

  it('refuses to delete a connection in use with exit 1 and the conflict reason', async () => {
    const [connection] = await listConnections();
    const run = await cli(['connections', 'delete', String(connection?.id)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[FAILED_PRECONDITION]');
    expect(run.stderr).toContain('reason: CONNECTION_IN_USE');
    expect(run.stderr).toMatch(/blocked by: [0-9a-f-]+, [0-9a-f-]+/);
  });

  it('refuses a bad property with exit 2, naming the field', async () => {
    const run = await cli([
      'connections',
      'test',
      ...postgresFlags('not-a-port'),
      '--scope',
      `database=${sourceDb}`,
      '--scope',
      'schema=sales',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[INVALID_ARGUMENT]');
    expect(run.stderr).toMatch(/field: \S*properties\.port/);
  });

  it('updates a connection, re-verified against both datastores, keeping the stored password', async () => {
    const [connection] = await listConnections();
    const run = await cli(['connections', 'update', String(connection?.id), '--name', 'local-postgres', '--property', 'port=5432']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^name: +local-postgres$/m);
    expect(run.stdout).toMatch(/^password +\*{8}$/m);
    expect(run.stdout).toContain('updated; re-verified 2 datastore(s)');
  });

  it('rotates the at-rest key with progress lines, then retires the old version', async () => {
    const before = await cli(['keys', 'list']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^v1 +\* +1$/m);

    const rotate = await cli(['keys', 'rotate', '--add', '--new-version', 'v2', '--batch-size', '1']);
    expect(rotate.stderr).toBe('');
    expect(rotate.code).toBe(0);
    expect(rotate.stdout.trim().split('\n').at(-1)).toBe('done: primary v2, 1 re-encrypted, 0 remaining');

    const resume = await cli(['--json', 'keys', 'rotate']);
    expect(resume.code).toBe(0);
    const messages = resume.stdout.trim().split('\n').map((line) => JSON.parse(line) as { primaryVersion: string; done: boolean });
    expect(messages.at(-1)).toMatchObject({ primaryVersion: 'v2', done: true });

    const primary = await cli(['keys', 'retire', 'v2']);
    expect(primary.code).toBe(1);
    expect(primary.stderr).toContain('[FAILED_PRECONDITION]');

    const retire = await cli(['keys', 'retire', 'v1']);
    expect(retire).toMatchObject({ code: 0, stdout: 'retired key version v1\n' });
    const after = await cli(['--json', 'keys', 'list']);
    expect(JSON.parse(after.stdout)).toEqual({ keys: [{ version: 'v2', primary: true, ciphertexts: '1' }] });
  });

  it('manages a secrets manager and resolves ${key} references through it, printing key names only', async () => {
    const created = await cli(
      [
        '--json',
        'secrets-managers',
        'create',
        '--name',
        'vault',
        '--login-url',
        vault.loginUrl('plumbline'),
        '--credentials-stdin',
        '--token-path',
        '$.auth.client_token',
        '--secret-url',
        vault.secretUrl('db/pg'),
        '--token-header',
        'X-Vault-Token',
        '--data-path',
        '$.data.data',
      ],
      JSON.stringify({ password: vaultPassword }),
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { secretsManager } = JSON.parse(created.stdout) as { secretsManager: { id: string; credentialsPayload: string } };
    expect(secretsManager.credentialsPayload).toBe('********');

    const tested = await cli(['secrets-managers', 'test', secretsManager.id]);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^✔ logged in and fetched 2 key\(s\)/);
    expect(tested.stdout).toContain('\n  pg_password\n  pg_user\n');

    const renamed = await cli(['secrets-managers', 'update', secretsManager.id, '--name', 'vault-renamed']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toMatch(/^name: +vault-renamed$/m);
    expect(renamed.stdout).toMatch(/^credentials payload: +\*{8}$/m);
    expect((await cli(['secrets-managers', 'test', secretsManager.id])).code).toBe(0);

    const resolved = await cli([
      'connections',
      'test',
      '--connector',
      'postgresql',
      '--property',
      'host=127.0.0.1',
      '--property',
      'port=5432',
      '--property',
      'ssl_mode=disable',
      '--property',
      'username=${pg_user}',
      '--property',
      'password=${pg_password}',
      '--secrets-manager',
      secretsManager.id,
      '--scope',
      `database=${sourceDb}`,
      '--scope',
      'schema=sales',
    ]);
    expect(resolved.stderr).toBe('');
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toMatch(/^✔ AUTHENTICATE .* as postgres/m);

    const listed = await cli(['secrets-managers', 'list']);
    expect(listed.stdout).toMatch(/^\S+ +vault-renamed +http/m);
    expect((await cli(['secrets-managers', 'delete', secretsManager.id])).code).toBe(0);
  });

  it('tests a saved datastore', async () => {
    const listed = await cli(['--json', 'datastores', 'list']);
    const datastores = (JSON.parse(listed.stdout) as { datastores: Array<{ id: string; name: string }> }).datastores;
    const sales = datastores.find((datastore) => datastore.name === 'sales');
    const run = await cli(['datastores', 'test', String(sales?.id)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✔ PRIVILEGE_PROBE/m);
    expect(run.stdout).toMatch(/^✔ ok/m);
  });

  it('runs a queued test_connection operation with --watch, lists and shows it', async () => {
    const listed = await cli(['--json', 'datastores', 'list']);
    const datastores = (JSON.parse(listed.stdout) as { datastores: Array<{ id: string; name: string }> }).datastores;
    const sales = datastores.find((datastore) => datastore.name === 'sales');
    const run = await cli(['ops', 'run', 'test_connection', String(sales?.id), '--watch']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Not a terminal: one plain line per change, the last one final.
    expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^success \(attempt 1\)/);

    const ops = await cli(['--json', 'ops', 'list', '--datastore', String(sales?.id), '--status', 'success']);
    const operations = (JSON.parse(ops.stdout) as { operations: Array<{ id: string; type: string }> }).operations;
    expect(operations.map((o) => o.type)).toContain('OPERATION_TYPE_TEST_CONNECTION');
    const show = await cli(['ops', 'show', String(operations[0]?.id)]);
    expect(show.stdout).toMatch(/^status: +success \(attempt 1\)$/m);

    const badType = await cli(['ops', 'run', 'vacuum', String(sales?.id)]);
    expect(badType.code).toBe(2);
  });

  it('exits 3 for a datastore that does not exist', async () => {
    const run = await cli(['datastores', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('[NOT_FOUND]');
  });

  it('never prints the password given on stdin, nor a secrets-manager credential or value', async () => {
    const [connection] = await listConnections();
    await cli(['connections', 'show', String(connection?.id)]);
    await cli(['--json', 'connections', 'show', String(connection?.id)]);
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      for (const secret of [password, vaultPassword, vaultSecret]) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
    }
  });
});
