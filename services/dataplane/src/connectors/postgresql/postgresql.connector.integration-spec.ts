import { randomBytes } from 'node:crypto';
import { dataplane } from '@plumbline/proto';
import {
  closedLoopbackPort,
  createCa,
  createPostgresDatabase,
  issueCertificate,
  postgresAdmin,
  serviceUrl,
  startBlackhole,
  startDnsServer,
  startFakePostgres,
  startScratchPostgres,
  startSilentServer,
  uniqueName,
  type CertificateAuthority,
  type ScratchPostgres,
  type FakeServerTls,
  type TestDatabase,
  type TestDnsServer,
} from '@plumbline/testing';
import { type ConnectorTarget } from '../connector';
import { DNS_SERVERS_ENV } from '../probe';
import { PostgresqlConnector } from './postgresql.connector';

const { StepName, StepStatus, TestErrorCode } = dataplane;

/** `DNS_RESOLVE:PASSED, TCP_CONNECT:FAILED, ...`: the shape of a verdict at a glance. */
function statuses(result: dataplane.ConnectionTestResult): string[] {
  return result.steps.map((s) => `${StepName[s.name]}:${StepStatus[s.status]}`);
}

function stepOf(result: dataplane.ConnectionTestResult, name: dataplane.StepName): dataplane.TestStep {
  const found = result.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step ${StepName[name]}`);
  return found;
}

const ALL_PASSED = [
  'DNS_RESOLVE:PASSED',
  'TCP_CONNECT:PASSED',
  'TLS:PASSED',
  'AUTHENTICATE:PASSED',
  'SCOPE_PROBE:PASSED',
  'PRIVILEGE_PROBE:PASSED',
];

describe(PostgresqlConnector.name, () => {
  const sut = new PostgresqlConnector();
  /** Planted in every target: it must never show up in a verdict. */
  const password = `Pl4nted-${randomBytes(9).toString('base64url')}`;
  const roles = {
    reader: uniqueName('pl_reader'),
    limited: uniqueName('pl_limited'),
    nologin: uniqueName('pl_nologin'),
  };
  let database: TestDatabase;
  let host: string;
  let port: number;
  let dnsServer: TestDnsServer;
  let ca: CertificateAuthority;
  let serverTls: FakeServerTls;

  const target = (
    properties: Record<string, string> = {},
    scope: Record<string, string> = {},
  ): ConnectorTarget => ({
    connector: 'postgresql',
    authMethod: 'basic',
    properties: { host, port: String(port), username: roles.reader, password, ssl_mode: 'prefer', ...properties },
    scope: { database: database.name, schema: 'sales', ...scope },
  });
  const within = (ms = 15_000) => ({ deadline: Date.now() + ms });
  const expectNoSecret = (result: dataplane.ConnectionTestResult) =>
    expect(JSON.stringify(result)).not.toContain(password);

  beforeAll(async () => {
    const url = new URL(await serviceUrl('postgres'));
    host = url.hostname;
    port = Number(url.port || 5432);
    database = await createPostgresDatabase('plumbline_dp_pg');
    await postgresAdmin(async (admin) => {
      await admin.query(`CREATE ROLE "${roles.reader}" LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE ROLE "${roles.limited}" LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE ROLE "${roles.nologin}" NOLOGIN PASSWORD '${password}'`);
    });
    await postgresAdmin(async (admin) => {
      await admin.query('CREATE SCHEMA sales');
      await admin.query(`CREATE TABLE sales."a ""quoted"" table" (id int)`);
      await admin.query('CREATE TABLE sales.orders (id int, total numeric)');
      await admin.query('CREATE SCHEMA empty');
      for (const role of [roles.reader, roles.limited]) {
        await admin.query(`GRANT USAGE ON SCHEMA sales, empty TO "${role}"`);
      }
      await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA sales TO "${roles.reader}"`);
      await admin.query(`GRANT SELECT ON sales.orders TO "${roles.limited}"`);
    }, database.name);

    dnsServer = await startDnsServer({ 'pg.plumbline.test': '127.0.0.1', 'other.plumbline.test': '127.0.0.1' });
    process.env[DNS_SERVERS_ENV] = dnsServer.address;

    ca = await createCa({ commonName: 'Plumbline connector test CA', validDays: 1 });
    serverTls = await issueCertificate(ca, { identity: 'fake-postgres', dnsNames: ['pg.plumbline.test'], validDays: 1 });
  });

  afterAll(async () => {
    delete process.env[DNS_SERVERS_ENV];
    await dnsServer?.close();
    await database?.drop();
    await postgresAdmin(async (admin) => {
      for (const role of Object.values(roles)) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  });

  it('passes every step for a readable schema, timing each', async () => {
    const result = await sut.test(target(), within());

    expect(statuses(result)).toEqual(ALL_PASSED);
    expect(result).toMatchObject({ ok: true, errorCode: TestErrorCode.UNSPECIFIED });
    for (const step of result.steps) expect(step.durationMs).toBeGreaterThanOrEqual(1);
    expect(result.durationMs).toBeGreaterThanOrEqual(1);
    expect(stepOf(result, StepName.DNS_RESOLVE).message).toContain('is an IP address');
    // The local server has ssl = off: prefer continues in clear text.
    expect(stepOf(result, StepName.TLS).message).toContain('server does not offer TLS; continuing unencrypted');
    expect(stepOf(result, StepName.PRIVILEGE_PROBE).message).toContain('SELECT from "sales"."a ""quoted"" table"');
    expect(result.summary).toContain(`schema 'sales' readable`);
    expectNoSecret(result);
  });

  it('resolves a host name through PLUMBLINE_DNS_SERVERS and connects to the resolved IP', async () => {
    const result = await sut.test(target({ host: 'pg.plumbline.test' }), within());

    expect(statuses(result)).toEqual(ALL_PASSED);
    expect(stepOf(result, StepName.DNS_RESOLVE).message).toContain('pg.plumbline.test resolved to 127.0.0.1');
    expect(dnsServer.queries).toContain('A pg.plumbline.test');
  });

  it('fails DNS_RESOLVE with DNS_FAILURE for a name that does not exist', async () => {
    const result = await sut.test(target({ host: 'missing.plumbline.test' }), within());

    expect(statuses(result)).toEqual([
      'DNS_RESOLVE:FAILED',
      'TCP_CONNECT:SKIPPED',
      'TLS:SKIPPED',
      'AUTHENTICATE:SKIPPED',
      'SCOPE_PROBE:SKIPPED',
      'PRIVILEGE_PROBE:SKIPPED',
    ]);
    expect(result).toMatchObject({ ok: false, errorCode: TestErrorCode.DNS_FAILURE });
    expect(stepOf(result, StepName.DNS_RESOLVE).message).toContain('missing.plumbline.test does not resolve');
    expectNoSecret(result);
  });

  it('fails TCP_CONNECT with CONNECTION_REFUSED on a closed port, naming the source address to allow', async () => {
    const closed = await closedLoopbackPort();
    const result = await sut.test(target({ port: String(closed) }), within());

    const tcp = stepOf(result, StepName.TCP_CONNECT);
    expect(tcp).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.CONNECTION_REFUSED });
    expect(tcp.message).toContain(`127.0.0.1:${closed}`);
    expect(tcp.hint).toContain(`allow 127.0.0.1 → 127.0.0.1:${closed}`);
    expect(result.errorCode).toBe(TestErrorCode.CONNECTION_REFUSED);
    expectNoSecret(result);
  });

  it('fails TCP_CONNECT with TIMEOUT at the deadline when packets are dropped', async () => {
    const blackhole = await startBlackhole();
    try {
      const began = Date.now();
      const result = await sut.test(target({ port: String(blackhole.port) }), within(1_500));

      expect(Date.now() - began).toBeLessThan(3_000);
      const tcp = stepOf(result, StepName.TCP_CONNECT);
      expect(tcp).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TIMEOUT });
      expect(tcp.durationMs).toBeGreaterThanOrEqual(1_000);
      expect(tcp.hint).toContain(`allow 127.0.0.1 → 127.0.0.1:${blackhole.port}`);
      expect(statuses(result).slice(2)).toEqual(['TLS:SKIPPED', 'AUTHENTICATE:SKIPPED', 'SCOPE_PROBE:SKIPPED', 'PRIVILEGE_PROBE:SKIPPED']);
      expectNoSecret(result);
    } finally {
      await blackhole.close();
    }
  });

  it('reports an unknown database at SCOPE_PROBE, after authentication passed', async () => {
    const result = await sut.test(target({}, { database: uniqueName('pl_missing_db') }), within());

    expect(statuses(result).slice(3)).toEqual(['AUTHENTICATE:PASSED', 'SCOPE_PROBE:FAILED', 'PRIVILEGE_PROBE:SKIPPED']);
    expect(result.errorCode).toBe(TestErrorCode.DATABASE_NOT_FOUND);
    expectNoSecret(result);
  });

  it('fails SCOPE_PROBE with SCHEMA_NOT_FOUND and lists the schemas that exist', async () => {
    const result = await sut.test(target({}, { schema: 'nope' }), within());

    const scope = stepOf(result, StepName.SCOPE_PROBE);
    expect(scope).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.SCHEMA_NOT_FOUND });
    expect(scope.message).toContain(`schema 'nope' does not exist in database '${database.name}'`);
    expect(scope.hint).toContain('sales');
    expectNoSecret(result);
  });

  it('fails PRIVILEGE_PROBE with PERMISSION_DENIED when the role cannot SELECT the first table', async () => {
    const result = await sut.test(target({ username: roles.limited }), within());

    const privileges = stepOf(result, StepName.PRIVILEGE_PROBE);
    expect(privileges).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.PERMISSION_DENIED });
    expect(privileges.message).toContain('cannot SELECT from "sales"."a ""quoted"" table"');
    expect(privileges.message).toContain('SELECT allowed on 1 of 2 tables/views');
    expect(privileges.hint).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "${roles.limited}"`);
    expect(statuses(result).slice(0, 5)).toEqual(ALL_PASSED.slice(0, 5));
    expectNoSecret(result);
  });

  it('passes PRIVILEGE_PROBE for a schema without tables, saying there was nothing to SELECT from', async () => {
    const result = await sut.test(target({}, { schema: 'empty' }), within());

    expect(statuses(result)).toEqual(ALL_PASSED);
    expect(stepOf(result, StepName.PRIVILEGE_PROBE).message).toContain('nothing to SELECT from');
  });

  // The local pg_hba.conf trusts every 127.0.0.1 login, so a wrong password is accepted by
  // the real server: the password path is tested against the wire-protocol fake below.
  it('fails AUTHENTICATE for a role that does not exist', async () => {
    const result = await sut.test(target({ username: uniqueName('pl_ghost') }), within());

    const auth = stepOf(result, StepName.AUTHENTICATE);
    expect(auth).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.AUTHENTICATION_FAILED });
    expect(auth.message).toContain('does not exist');
    expectNoSecret(result);
  });

  it('fails AUTHENTICATE for a role that may not log in', async () => {
    const result = await sut.test(target({ username: roles.nologin }), within());

    const auth = stepOf(result, StepName.AUTHENTICATE);
    expect(auth).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.AUTHENTICATION_FAILED });
    expect(auth.hint).toContain('LOGIN');
    expectNoSecret(result);
  });

  it('fails AUTHENTICATE on a wrong password and scrubs the password a server echoes', async () => {
    const fake = await startFakePostgres();
    try {
      const result = await sut.test(target({ host: '127.0.0.1', port: String(fake.port) }), within());

      expect(fake.logins).toEqual([{ user: roles.reader, password, encrypted: false }]);
      const auth = stepOf(result, StepName.AUTHENTICATE);
      expect(auth).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.AUTHENTICATION_FAILED });
      expect(auth.message).toContain(`password authentication failed for ${roles.reader}@127.0.0.1:${fake.port}`);
      expectNoSecret(result);
    } finally {
      await fake.close();
    }
  });

  it('fails TLS with TLS_FAILED when ssl_mode is require and the server offers no TLS', async () => {
    const result = await sut.test(target({ ssl_mode: 'require' }), within());

    const tls = stepOf(result, StepName.TLS);
    expect(tls).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TLS_FAILED });
    expect(tls.message).toContain('server does not offer TLS');
    expectNoSecret(result);
  });

  it('marks TLS NOT_APPLICABLE with ssl_mode disable and still passes', async () => {
    const result = await sut.test(target({ ssl_mode: 'disable' }), within());

    expect(result.ok).toBe(true);
    expect(stepOf(result, StepName.TLS).status).toBe(StepStatus.NOT_APPLICABLE);
  });

  describe('against a real PostgreSQL that requires TLS and checks passwords (scratch cluster)', () => {
    let cluster: ScratchPostgres;
    const superuserPassword = `Pl4nted-admin-${randomBytes(6).toString('hex')}`;
    const scratchTarget = (properties: Record<string, string>) =>
      target(
        { host: '127.0.0.1', port: String(cluster.port), username: 'postgres', password: superuserPassword, ...properties },
        { database: 'postgres', schema: 'public' },
      );
    beforeAll(async () => {
      cluster = await startScratchPostgres({ superuserPassword, tls: serverTls, requireTls: true });
    });
    afterAll(() => cluster?.stop());

    it('logs in over TLS on the one connection it opened, and verifies the certificate', async () => {
      const result = await sut.test(
        scratchTarget({ host: 'pg.plumbline.test', ssl_mode: 'verify-full', ssl_ca: ca.certPem }),
        within(),
      );
      // pg.plumbline.test resolves through the loopback DNS server set up for this file.
      expect(statuses(result)).toEqual(ALL_PASSED);
      expect(stepOf(result, StepName.TLS).message).toContain('certificate verified for pg.plumbline.test');
      expect(stepOf(result, StepName.AUTHENTICATE).message).toContain('over TLS');
    });

    it('fails AUTHENTICATE with AUTHENTICATION_FAILED for a wrong password over TLS', async () => {
      const wrong = `Pl4nted-wrong-${randomBytes(6).toString('hex')}`;
      const result = await sut.test(scratchTarget({ password: wrong, ssl_mode: 'require' }), within());
      expect(stepOf(result, StepName.AUTHENTICATE).errorCode).toBe(TestErrorCode.AUTHENTICATION_FAILED);
      expect(JSON.stringify(result)).not.toContain(wrong);
    });

    it('fails with TLS_REQUIRED when ssl_mode disable meets a server that refuses plain logins', async () => {
      const result = await sut.test(scratchTarget({ ssl_mode: 'disable' }), within());
      expect(result.errorCode).toBe(TestErrorCode.TLS_REQUIRED);
    });
  });

  describe('against a TLS server', () => {
    let fake: Awaited<ReturnType<typeof startFakePostgres>>;
    beforeAll(async () => {
      fake = await startFakePostgres({ tls: serverTls });
    });
    afterAll(() => fake.close());

    it('verifies the certificate with verify-full and logs in over TLS', async () => {
      const result = await sut.test(
        target({ host: 'pg.plumbline.test', port: String(fake.port), ssl_mode: 'verify-full', ssl_ca: ca.certPem }),
        within(),
      );

      const tls = stepOf(result, StepName.TLS);
      expect(tls.status).toBe(StepStatus.PASSED);
      expect(tls.message).toContain('certificate verified for pg.plumbline.test');
      // The fake rejects every password; what matters is that it arrived encrypted.
      expect(stepOf(result, StepName.AUTHENTICATE).errorCode).toBe(TestErrorCode.AUTHENTICATION_FAILED);
      expect(fake.logins.at(-1)).toMatchObject({ user: roles.reader, encrypted: true });
      expectNoSecret(result);
    });

    it('fails TLS with TLS_FAILED for an untrusted certificate', async () => {
      const result = await sut.test(target({ port: String(fake.port), ssl_mode: 'verify-ca' }), within());

      const tls = stepOf(result, StepName.TLS);
      expect(tls).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TLS_FAILED });
      expect(tls.message).toContain('is not trusted');
      expect(tls.hint).toContain('ssl_ca');
      expectNoSecret(result);
    });

    it('fails TLS with TLS_FAILED when the certificate does not name the host (verify-full)', async () => {
      const result = await sut.test(
        target({ host: 'other.plumbline.test', port: String(fake.port), ssl_mode: 'verify-full', ssl_ca: ca.certPem }),
        within(),
      );

      const tls = stepOf(result, StepName.TLS);
      expect(tls).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TLS_FAILED });
      expect(tls.message).toContain('does not name other.plumbline.test');
    });

    it('encrypts without verifying with ssl_mode require', async () => {
      const result = await sut.test(target({ port: String(fake.port), ssl_mode: 'require' }), within());

      const tls = stepOf(result, StepName.TLS);
      expect(tls.status).toBe(StepStatus.PASSED);
      expect(tls.message).toContain('certificate not verified (ssl_mode require)');
      expect(fake.logins.at(-1)).toMatchObject({ encrypted: true });
    });
  });

  it('fails AUTHENTICATE with TIMEOUT when the server accepts TCP but never answers the login', async () => {
    const silent = await startSilentServer();
    try {
      const result = await sut.test(target({ port: String(silent.port), ssl_mode: 'disable' }), within(1_500));

      const auth = stepOf(result, StepName.AUTHENTICATE);
      expect(auth).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TIMEOUT });
      expect(auth.hint).toContain('allow 127.0.0.1 →');
      expectNoSecret(result);
    } finally {
      await silent.close();
    }
  });

  it('checks reach and login only when no datastore scope is given (an orphaned connection)', async () => {
    const result = await sut.test({ ...target(), scope: {} }, within());

    expect(result.ok).toBe(true);
    expect(stepOf(result, StepName.AUTHENTICATE).status).toBe(StepStatus.PASSED);
    expect(stepOf(result, StepName.SCOPE_PROBE).status).toBe(StepStatus.NOT_APPLICABLE);
    expect(stepOf(result, StepName.PRIVILEGE_PROBE).status).toBe(StepStatus.NOT_APPLICABLE);
  });

  it('answers INVALID_CONFIGURATION naming the property instead of throwing', async () => {
    const badPort = await sut.test(target({ port: 'five' }), within());
    const noDatabase = await sut.test(target({}, { database: '' }), within());

    expect(badPort).toMatchObject({ ok: false, errorCode: TestErrorCode.INVALID_CONFIGURATION });
    expect(badPort.summary).toContain("'port'");
    expect(badPort.steps.every((s) => s.status === StepStatus.SKIPPED)).toBe(true);
    expect(noDatabase.summary).toContain("'database'");
    expectNoSecret(badPort);
  });
});
