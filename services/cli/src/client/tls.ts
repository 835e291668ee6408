import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TlsEnv } from '@plumbline/grpc';
import { CliError, CliErrorCode, usageError } from '../errors/cli-error';

/**
 * Default client material, relative to the working directory: `pnpm pki` writes
 * it to `.pki/` in the repository root, and `pnpm plumbline` runs there.
 */
export const DEFAULT_TLS_FILES = { ca: '.pki/ca.crt', cert: '.pki/cli.crt', key: '.pki/cli.key' } as const;

export interface TlsFlags {
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

type Role = keyof typeof DEFAULT_TLS_FILES;

export interface ResolvedFile {
  readonly path: string;
  /** Where the path came from, for the error message. */
  readonly source: 'flag' | 'env' | 'default';
}

const FLAG: Record<Role, string> = { ca: '--ca', cert: '--cert', key: '--key' };
const ENV: Record<Role, string> = { ca: TlsEnv.Ca, cert: TlsEnv.Cert, key: TlsEnv.Key };
const WHAT: Record<Role, string> = { ca: 'CA certificate', cert: 'client certificate', key: 'client private key' };

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/** Flag, else environment variable, else the `.pki/` default; relative paths against `cwd`. */
export function resolveTlsFiles(flags: TlsFlags, env: NodeJS.ProcessEnv, cwd: string): Record<Role, ResolvedFile> {
  const pick = (role: Role): ResolvedFile => {
    const fromFlag = nonEmpty(flags[role]);
    const fromEnv = nonEmpty(env[ENV[role]]);
    const [path, source] =
      fromFlag !== undefined
        ? [fromFlag, 'flag' as const]
        : fromEnv !== undefined
          ? [fromEnv, 'env' as const]
          : [DEFAULT_TLS_FILES[role], 'default' as const];
    return { path: isAbsolute(path) ? path : resolve(cwd, path), source };
  };
  return { ca: pick('ca'), cert: pick('cert'), key: pick('key') };
}

const MISSING_HINTS = [
  'run `pnpm pki` in the repository root to make development certificates in .pki/,',
  `or pass --ca/--cert/--key (or set ${TlsEnv.Ca}, ${TlsEnv.Cert}, ${TlsEnv.Key}),`,
  'or use --insecure against a server started with PLUMBLINE_INSECURE_DEV=true.',
];

function readMaterial(role: Role, file: ResolvedFile, read: (path: string) => Buffer): Buffer {
  const origin = file.source === 'flag' ? FLAG[role] : file.source === 'env' ? ENV[role] : 'default';
  let data: Buffer;
  try {
    data = read(file.path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read failed';
    throw new CliError(
      CliErrorCode.MissingCertificate,
      `cannot read the ${WHAT[role]} ${file.path} (${reason}; from ${origin})`,
      MISSING_HINTS,
    );
  }
  if (!data.toString('latin1').includes('-----BEGIN ')) {
    throw new CliError(CliErrorCode.MissingCertificate, `the ${WHAT[role]} ${file.path} is not a PEM file (from ${origin})`);
  }
  return data;
}

/**
 * mTLS channel credentials from the CA, certificate and key files, or plaintext
 * with `--insecure`. Certificate flags together with `--insecure` are refused.
 */
export function clientCredentials(
  flags: TlsFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  read: (path: string) => Buffer = readFileSync,
): grpc.ChannelCredentials {
  if (flags.insecure) {
    const given = (['ca', 'cert', 'key'] as const).filter((role) => nonEmpty(flags[role]) !== undefined);
    if (given.length > 0) throw usageError(`--insecure cannot be combined with ${given.map((role) => FLAG[role]).join(', ')}`);
    return grpc.credentials.createInsecure();
  }
  const files = resolveTlsFiles(flags, env, cwd);
  const ca = readMaterial('ca', files.ca, read);
  const cert = readMaterial('cert', files.cert, read);
  const key = readMaterial('key', files.key, read);
  return grpc.credentials.createSsl(ca, key, cert);
}
