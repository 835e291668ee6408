#!/usr/bin/env node
// At-rest key administration until the `plumbline` CLI grows a `keys` command:
// a thin client of the controlplane's KeyService over mTLS (built libs; run
// `pnpm build` first). Run as `pnpm keys [options]`.
//
//   pnpm keys --list                        versions, the primary, ciphertexts per version
//   pnpm keys --add [--new-version v2]      add a version, make it primary, re-encrypt everything
//   pnpm keys                               re-encrypt onto the current primary (resume a run)
//   pnpm keys --retire v1                   drop a version no ciphertext uses any more
//
// Exit codes: 0 done, 1 the call failed (or the rotation stopped early), 2 bad usage.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const USAGE = `usage: pnpm keys [--list | --retire <version> | [--add [--new-version <v>]] [--batch-size <n>]]
                 [--address host:port] [--pki <dir>] [--identity cli] [--insecure]

  --list               list key versions, the primary, and how many ciphertexts each seals
  --add                add a key version and make it primary before re-encrypting
  --new-version <v>    name of the added version (1-16 letters or digits; default "k" + timestamp)
  --batch-size <n>     rows re-encrypted per transaction (default 100)
  --retire <v>         remove a version from the key ring (refused while ciphertexts use it)
  --address <a>        controlplane address (default $PLUMBLINE_CONTROLPLANE_ADDRESS or localhost:50051)
  --pki <dir>          directory with ca.crt, <identity>.crt and <identity>.key (default .pki/)
  --identity <name>    client certificate to present (default cli)
  --insecure           plain text, for a controlplane started with PLUMBLINE_INSECURE_DEV=true

With neither --list nor --retire, re-encrypts every secret column onto the primary,
printing progress; an interrupted run is finished by running it again.`;

function usage(message) {
  console.error(`error: ${message}\n${USAGE.split('\n').slice(0, 2).join('\n')}\n(pnpm keys --help for details)`);
  process.exit(2);
}

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      list: { type: 'boolean', default: false },
      add: { type: 'boolean', default: false },
      'new-version': { type: 'string' },
      'batch-size': { type: 'string' },
      retire: { type: 'string' },
      address: { type: 'string', default: process.env.PLUMBLINE_CONTROLPLANE_ADDRESS ?? 'localhost:50051' },
      pki: { type: 'string', default: join(root, '.pki') },
      identity: { type: 'string', default: 'cli' },
      insecure: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  usage(error.message);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const rotating = flags.add || flags['new-version'] !== undefined || flags['batch-size'] !== undefined;
if (flags.list && (flags.retire !== undefined || rotating)) usage('--list cannot be combined with other actions');
if (flags.retire !== undefined && rotating) usage('--retire cannot be combined with rotation options');
if (flags.retire !== undefined && !/^[a-z0-9]{1,16}$/i.test(flags.retire)) usage('--retire needs a key version (1-16 letters or digits)');
if (flags['new-version'] !== undefined && !flags.add) usage('--new-version needs --add');
if (flags['new-version'] !== undefined && !/^[a-z0-9]{1,16}$/i.test(flags['new-version'])) {
  usage('--new-version must be 1-16 letters or digits');
}
let batchSize = 0;
if (flags['batch-size'] !== undefined) {
  batchSize = Number(flags['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) usage('--batch-size must be an integer from 1 to 10000');
}

for (const dist of ['libs/grpc/dist/index.js', 'libs/proto/dist/index.js']) {
  if (!existsSync(join(root, dist))) {
    console.error(`error: ${dist} is missing: run \`pnpm build\` first`);
    process.exit(1);
  }
}
const grpc = require(join(root, 'libs/grpc/node_modules/@grpc/grpc-js'));
const { createClient, errorDetailOf } = require(join(root, 'libs/grpc/dist'));
const { controlplane } = require(join(root, 'libs/proto/dist'));

function credentials() {
  if (flags.insecure) return grpc.credentials.createInsecure();
  const files = ['ca.crt', `${flags.identity}.crt`, `${flags.identity}.key`].map((name) => join(flags.pki, name));
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    console.error(`error: ${missing.join(', ')} not found (make a development PKI with \`pnpm pki\`, or pass --pki)`);
    process.exit(1);
  }
  const [ca, cert, key] = files.map((file) => readFileSync(file));
  return grpc.credentials.createSsl(ca, key, cert);
}

function describeError(error) {
  if (typeof error?.code !== 'number') return error?.message ?? String(error);
  const detail = errorDetailOf(error, controlplane.ErrorDetailSchema);
  const reason = detail?.reason ? ` ${detail.reason}` : '';
  const field = detail?.field ? ` (${detail.field})` : '';
  return `${grpc.status[error.code]}${reason}${field}: ${error.details}`;
}

async function list(keys) {
  const { keys: versions } = await keys.listKeys({}, { timeoutMs: 30_000 });
  const rows = versions.map((k) => ({ version: k.version, primary: k.primary ? 'yes' : '', ciphertexts: String(k.ciphertexts) }));
  const columns = ['version', 'primary', 'ciphertexts'];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => row[c])));
}

async function rotate(keys) {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    console.error('interrupted: the rotation stops after its current batch; run again to finish');
    controller.abort();
  });
  let last;
  for await (const progress of keys.rotateKeys(
    { addKeyVersion: flags.add, newVersion: flags['new-version'] ?? '', batchSize },
    { signal: controller.signal },
  )) {
    last = progress;
    const state = progress.done ? 'done' : 'running';
    console.log(`primary ${progress.primaryVersion}: ${progress.reencrypted} re-encrypted, ${progress.remaining} remaining (${state})`);
  }
  if (!last?.done) throw new Error('the rotation ended before it was done; run it again to finish');
}

async function main() {
  const keys = createClient(controlplane.KeyService, flags.address, credentials());
  try {
    if (flags.list) await list(keys);
    else if (flags.retire !== undefined) {
      await keys.retireKey({ version: flags.retire }, { timeoutMs: 30_000 });
      console.log(`key version ${flags.retire} retired`);
    } else await rotate(keys);
  } finally {
    keys.close();
  }
}

main().catch((error) => {
  console.error(`error: ${describeError(error)}`);
  process.exit(1);
});
