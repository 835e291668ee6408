import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A throw-away PostgreSQL cluster from the machine's own PostgreSQL binaries,
 * with password (SCRAM) authentication on TCP and, optionally, TLS. The shared
 * local server trusts every loopback client, so a wrong password can only be
 * proven against a cluster like this one.
 */
export interface ScratchPostgres {
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly superuserPassword: string;
  /** A URL that logs in as the superuser with its password. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface ScratchPostgresOptions {
  superuserPassword: string;
  /** PEM certificate and key; the server then offers TLS. */
  tls?: { certPem: string; keyPem: string };
  /** Refuse unencrypted TCP logins (hostssl only). */
  requireTls?: boolean;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('no initdb found under /usr/lib/postgresql/*/bin');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** initdb refuses to run as root: run the server binaries as the postgres OS user then. */
function asServerUser(dir: string): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  return { uid, gid };
}

export async function startScratchPostgres(options: ScratchPostgresOptions): Promise<ScratchPostgres> {
  const bin = binDir();
  const base = mkdtempSync(join(tmpdir(), 'plumbline-pg-'));
  chmodSync(base, 0o755);
  const user = asServerUser(base);
  const own = (path: string) => user.uid !== undefined && chownSync(path, user.uid, user.gid!);
  const dataDir = join(base, 'data');
  const pwFile = join(base, 'pwfile');
  writeFileSync(pwFile, `${options.superuserPassword}\n`, { mode: 0o600 });
  own(pwFile);

  await run(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'],
    { ...user },
  );
  rmSync(pwFile);

  const hostRule = options.requireTls ? 'hostssl' : 'host';
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    [
      'local all all trust',
      `${hostRule} all all 127.0.0.1/32 scram-sha-256`,
      options.requireTls ? 'hostnossl all all 127.0.0.1/32 reject' : '',
    ].join('\n') + '\n',
  );
  own(join(dataDir, 'pg_hba.conf'));
  const settings = [`port = 0`];
  if (options.tls) {
    writeFileSync(join(dataDir, 'server.crt'), options.tls.certPem, { mode: 0o600 });
    writeFileSync(join(dataDir, 'server.key'), options.tls.keyPem, { mode: 0o600 });
    own(join(dataDir, 'server.crt'));
    own(join(dataDir, 'server.key'));
    settings.push(`ssl = on`, `ssl_cert_file = 'server.crt'`, `ssl_key_file = 'server.key'`);
  }
  const port = await freePort();
  settings[0] = `port = ${port}`;
  settings.push(`listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${base}'`, 'fsync = off');
  writeFileSync(join(dataDir, 'postgresql.auto.conf'), settings.join('\n') + '\n');
  own(join(dataDir, 'postgresql.auto.conf'));

  await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', join(base, 'server.log'), '-w', '-t', '30', 'start'], {
    ...user,
  });

  const stop = async () => {
    try {
      await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { ...user });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  };
  const password = encodeURIComponent(options.superuserPassword);
  return {
    host: '127.0.0.1',
    port,
    superuser: 'postgres',
    superuserPassword: options.superuserPassword,
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop,
  };
}
