#!/usr/bin/env node
// `pnpm pki`: a development CA and one mTLS certificate per service in .pki/
// (gitignored). Idempotent: valid files are kept; pass --force to start over.
// Needs `pnpm build` first (it uses libs/testing's compiled PKI code).
//
//   pnpm pki [--force] [--dir <path>]
//
// Then point a service at its files, e.g. the dataplane:
//   PLUMBLINE_TLS_CA=.pki/ca.crt PLUMBLINE_TLS_CERT=.pki/dataplane.crt PLUMBLINE_TLS_KEY=.pki/dataplane.key
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'libs/testing/dist/pki/index.js');

const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    dir: { type: 'string', default: join(root, '.pki') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: pnpm pki [--force] [--dir <path>]');
  process.exit(0);
}
if (!existsSync(compiled)) {
  console.error(`pki: ${relative(root, compiled)} not found; run \`pnpm build\` first.`);
  process.exit(1);
}

const { default: pki } = await import(pathToFileURL(compiled).href);
const directory = resolve(values.dir);
// `cli` is the identity of API clients (the demo, the plumbline CLI).
const reports = await pki.ensurePkiDirectory(directory, {
  force: values.force,
  identities: ['controlplane', 'dataplane', 'cli'],
});

for (const report of reports) {
  const what = report.subject === 'ca' ? 'CA' : `spiffe://plumbline/${report.subject}`;
  const why = report.reason ? ` (${report.reason})` : '';
  console.log(
    `${report.action.padEnd(8)} ${relative(process.cwd(), report.certPath)}, ${relative(process.cwd(), report.keyPath)}` +
      `  ${what}, valid until ${report.notAfter.toISOString().slice(0, 10)}${why}`,
  );
}
const made = reports.filter((report) => report.action !== 'kept').length;
console.log(made === 0 ? 'pki: everything already in place.' : `pki: wrote ${made} certificate(s) to ${relative(process.cwd(), directory) || '.'}.`);
