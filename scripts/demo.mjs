#!/usr/bin/env node
// The Quickstart demo: both services up over mTLS, then one connection and two
// datastores on the local PostgreSQL, tested, listed, and a refused delete.
// Run through `./scripts/demo.sh` (which installs, builds and makes .pki/ first).
//
//   node scripts/demo.mjs [--keep-running]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const grpc = require(join(root, 'libs/grpc/node_modules/@grpc/grpc-js'));
const { createClient, errorDetailOf } = require(join(root, 'libs/grpc/dist'));
const { controlplane, dataplane } = require(join(root, 'libs/proto/dist'));
const { startServiceProcess } = require(join(root, 'libs/testing/dist/processes'));
const { Client } = require(join(root, 'libs/testing/node_modules/pg'));

const { values: flags } = parseArgs({ options: { 'keep-running': { type: 'boolean', default: false } } });
const ADMIN_URL = process.env.PLUMBLINE_DEMO_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CONTROLPLANE_DB = 'plumbline';
const SOURCE_DB = 'plumbline_demo';
const READER = 'plumbline_demo_reader';
const pki = join(root, '.pki');

const bold = (s) => `\x1b[1m${s}\x1b[0m`;
const green = (s) => `\x1b[32m${s}\x1b[0m`;
const red = (s) => `\x1b[31m${s}\x1b[0m`;
const step = (s) => console.log(`\n${bold('▶ ' + s)}`);

function table(rows) {
  if (rows.length === 0) return console.log('  (none)');
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => '  ' + cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  console.log(bold(line(columns)));
  rows.forEach((r) => console.log(line(columns.map((c) => r[c]))));
}

function printSteps(result) {
  for (const s of result.steps) {
    const status = dataplane.StepStatus[s.status];
    const mark = status === 'PASSED' ? green('✔') : status === 'FAILED' ? red('✘') : '·';
    console.log(`  ${mark} ${dataplane.StepName[s.name].padEnd(16)} ${String(s.durationMs).padStart(4)} ms  ${s.message}`);
    if (s.hint && status === 'FAILED') console.log(`      hint: ${s.hint}`);
  }
  console.log(`  → ${result.ok ? green('OK') : red('FAILED')}: ${result.summary}`);
}

async function admin(database, work) {
  const url = new URL(ADMIN_URL);
  if (database) url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The controlplane's own database and a small source database with two schemas. */
async function prepareDatabases(password) {
  await admin(null, async (c) => {
    const exists = async (name) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0;
    if (!(await exists(CONTROLPLANE_DB))) await c.query(`CREATE DATABASE ${CONTROLPLANE_DB}`);
    if (!(await exists(SOURCE_DB))) await c.query(`CREATE DATABASE ${SOURCE_DB}`);
    const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [READER]);
    await c.query(`${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${READER} LOGIN PASSWORD '${password}'`);
  });
  await admin(SOURCE_DB, (c) =>
    c.query(`
      CREATE SCHEMA IF NOT EXISTS sales;
      CREATE SCHEMA IF NOT EXISTS marketing;
      CREATE TABLE IF NOT EXISTS sales.orders (id int PRIMARY KEY, customer text, amount numeric(10,2), ordered_at timestamptz);
      CREATE TABLE IF NOT EXISTS marketing.campaigns (id int PRIMARY KEY, name text, budget numeric(10,2));
      INSERT INTO sales.orders VALUES (1, 'Ada', 120.50, now()), (2, 'Grace', NULL, now()) ON CONFLICT DO NOTHING;
      INSERT INTO marketing.campaigns VALUES (1, 'Launch', 5000) ON CONFLICT DO NOTHING;
      GRANT USAGE ON SCHEMA sales, marketing TO ${READER};
      GRANT SELECT ON ALL TABLES IN SCHEMA sales, marketing TO ${READER};`),
  );
}

function keyRingFile() {
  const file = join(pki, 'keyring');
  if (!existsSync(file)) writeFileSync(file, `v1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return file;
}

function tlsEnv(identity) {
  return {
    PLUMBLINE_TLS_CA: join(pki, 'ca.crt'),
    PLUMBLINE_TLS_CERT: join(pki, `${identity}.crt`),
    PLUMBLINE_TLS_KEY: join(pki, `${identity}.key`),
  };
}

async function main() {
  for (const file of ['ca.crt', 'controlplane.crt', 'dataplane.crt', 'cli.crt']) {
    if (!existsSync(join(pki, file))) throw new Error(`.pki/${file} is missing: run \`pnpm pki\` first`);
  }
  // The demo role's password is new on every run: nothing to remember, nothing committed.
  const password = `demo-${randomBytes(12).toString('hex')}`;
  step('Preparing the local PostgreSQL (controlplane database + a demo source)');
  await prepareDatabases(password);

  step('Starting the dataplane and the controlplane (mTLS)');
  const dataplaneProcess = await startServiceProcess({
    name: 'dataplane',
    env: { PLUMBLINE_GRPC_ADDRESS: '127.0.0.1:0', ...tlsEnv('dataplane'), PLUMBLINE_LOG_LEVEL: 'info' },
  });
  const controlplaneProcess = await startServiceProcess({
    name: 'controlplane',
    env: {
      PLUMBLINE_GRPC_ADDRESS: process.env.PLUMBLINE_GRPC_ADDRESS ?? '127.0.0.1:50051',
      PLUMBLINE_DATAPLANE_ADDRESS: `localhost:${dataplaneProcess.port}`,
      PLUMBLINE_DATABASE_URL: Object.assign(new URL(ADMIN_URL), { pathname: `/${CONTROLPLANE_DB}` }).toString(),
      PLUMBLINE_KEYRING_FILE: keyRingFile(),
      PLUMBLINE_LOG_LEVEL: 'info',
      ...tlsEnv('controlplane'),
    },
  });
  console.log(`  dataplane    127.0.0.1:${dataplaneProcess.port}`);
  console.log(`  controlplane 127.0.0.1:${controlplaneProcess.port}`);

  const address = `localhost:${controlplaneProcess.port}`;
  const credentials = grpc.credentials.createSsl(
    readFileSync(join(pki, 'ca.crt')),
    readFileSync(join(pki, 'cli.key')),
    readFileSync(join(pki, 'cli.crt')),
  );
  const connections = createClient(controlplane.ConnectionService, address, credentials);
  const datastores = createClient(controlplane.DatastoreService, address, credentials);
  try {
    // Start from a clean slate so the demo can run again.
    for (const d of (await datastores.listDatastores({})).datastores.filter((d) => d.name.startsWith('demo-'))) {
      await datastores.deleteDatastore({ id: d.id });
    }
    for (const c of (await connections.listConnections({})).connections.filter((c) => c.name === 'demo-postgres')) {
      await connections.deleteConnection({ id: c.id });
    }

    const { connectorTypes } = await connections.listConnectorTypes({});
    step(`Connector catalog: ${connectorTypes.length} connectors`);
    console.log('  ' + connectorTypes.map((t) => `${t.id}${t.driverAvailable ? '' : '*'}`).join(', '));
    console.log('  (* = property schema only, no dataplane driver yet)');

    const spec = {
      name: 'demo-postgres',
      connector: 'postgresql',
      authMethod: 'basic',
      properties: { host: '127.0.0.1', port: '5432', username: READER, password, ssl_mode: 'prefer' },
    };
    step('Test Connection (unsaved; nothing is written)');
    printSteps((await connections.testConnection({ connection: { case: 'spec', value: spec }, scope: { database: SOURCE_DB, schema: 'sales' } })).result);

    step('Create datastore "demo-sales" with a new connection (tested first, one transaction)');
    const sales = await datastores.createDatastore({
      name: 'demo-sales',
      connection: { case: 'newConnection', value: spec },
      scope: { database: SOURCE_DB, schema: 'sales' },
    });
    printSteps(sales.testResult);

    step('Create datastore "demo-marketing" on the same connection');
    const marketing = await datastores.createDatastore({
      name: 'demo-marketing',
      connection: { case: 'connectionId', value: sales.connection.id },
      scope: { database: SOURCE_DB, schema: 'marketing' },
    });
    printSteps(marketing.testResult);

    step('Test Connection of a saved datastore that points at a missing schema');
    printSteps(
      (await connections.testConnection({ connection: { case: 'connectionId', value: sales.connection.id }, scope: { database: SOURCE_DB, schema: 'finance' } })).result,
    );

    step('Connections (secrets masked)');
    table(
      (await connections.listConnections({})).connections.map((c) => ({
        name: c.name,
        connector: c.connector,
        user: c.properties.username,
        password: c.properties.password,
        datastores: c.datastoreCount,
      })),
    );
    step('Datastores');
    table(
      (await datastores.listDatastores({})).datastores.map((d) => ({
        name: d.name,
        database: d.scope.database,
        schema: d.scope.schema,
        connection: d.connectionId.slice(0, 8),
      })),
    );

    const plumbline = (...args) => {
      step(`plumbline ${args.join(' ')}`);
      const cli = spawnSync(process.execPath, [join(root, 'services/cli/bin/plumbline.js'), '--address', address, ...args], {
        cwd: root,
        encoding: 'utf8',
      });
      process.stdout.write(cli.stdout.replace(/^/gm, '  '));
      if (cli.status !== 0) throw new Error(`plumbline exited ${cli.status}: ${cli.stderr}`);
    };
    plumbline('datastores', 'list');
    // Queued operations, computed inside PostgreSQL, followed live.
    plumbline('ops', 'run', 'sync', sales.datastore.id, '--watch');
    plumbline('ops', 'run', 'profile', sales.datastore.id, '--inference-level', '2', '--watch');
    plumbline('ops', 'run', 'scan', sales.datastore.id, '--watch');
    plumbline('ops', 'list', '--datastore', sales.datastore.id);

    step('Delete the connection while datastores use it');
    try {
      await connections.deleteConnection({ id: sales.connection.id });
      console.log(red('  unexpectedly deleted'));
      process.exitCode = 1;
    } catch (error) {
      const detail = errorDetailOf(error, controlplane.ErrorDetailSchema);
      console.log(`  ${green('refused as expected')}: ${grpc.status[error.code]} (${detail?.reason})`);
      console.log(`  ${error.details}`);
    }
  } finally {
    connections.close();
    datastores.close();
    if (flags['keep-running']) {
      console.log(`\nServices keep running (controlplane at ${address}); press Ctrl-C to stop.`);
      await new Promise((done) => process.once('SIGINT', done));
    }
    await controlplaneProcess.stop();
    await dataplaneProcess.stop();
  }
  console.log(`\n${green('Demo finished.')}`);
}

main().catch((error) => {
  console.error(red(`demo failed: ${error.details ?? error.message}`));
  process.exit(1);
});
