import { randomBytes } from 'node:crypto';
import { dataplane } from '@plumbline/proto';
import {
  closedLoopbackPort,
  createCa,
  createMysqlDatabase,
  issueCertificate,
  mysqlAdmin,
  serviceUrl,
  startBlackhole,
  startDnsServer,
  startFakeMysql,
  startSilentServer,
  uniqueName,
  type CertificateAuthority,
  type FakeServer,
  type TestDatabase,
  type TestDnsServer,
} from '@plumbline/testing';
import { type ConnectorTarget } from '../connector';
import { DNS_SERVERS_ENV } from '../probe';
import { MysqlConnector } from './mysql.connector';

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

describe(MysqlConnector.name, () => {
  const sut = new MysqlConnector();
  /** Planted in every target: it must never show up in a verdict. */
  const password = `Pl4nted-${randomBytes(9).toString('base64url')}`;
  const users = {
    reader: uniqueName('pl_reader'),
    limited: uniqueName('pl_limited'),
    outsider: uniqueName('pl_outsider'),
    global: uniqueName('pl_global'),
  };
  let database: TestDatabase;
  let emptyDatabase: TestDatabase;
  let host: string;
  let port: number;
  let dnsServer: TestDnsServer;
  let ca: CertificateAuthority;
  let fakeTls: FakeServer;

  const target = (properties: Record<string, string> = {}, scope: Record<string, string> = {}): ConnectorTarget => ({
    connector: 'mysql',
    authMethod: 'basic',
    properties: { host, port: String(port), username: users.reader, password, ssl_mode: 'prefer', ...properties },
    scope: { database: database.name, ...scope },
  });
  const within = (ms = 15_000) => ({ deadline: Date.now() + ms });
  const expectNoSecret = (result: dataplane.ConnectionTestResult) =>
    expect(JSON.stringify(result)).not.toContain(password);

  beforeAll(async () => {
    const url = new URL(await serviceUrl('mysql'));
    host = url.hostname;
    port = Number(url.port || 3306);
    database = await createMysqlDatabase('plumbline_dp_my');
    emptyDatabase = await createMysqlDatabase('plumbline_dp_my_empty');
    const db = `\`${database.name}\``;
    await mysqlAdmin(async (admin) => {
      await admin.query(`CREATE TABLE ${db}.\`a \`\`quoted\`\` table\` (id INT)`);
      await admin.query(`CREATE TABLE ${db}.orders (id INT, total DECIMAL(10, 2))`);
      for (const user of Object.values(users)) {
        await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
      }
      await admin.query(`GRANT SELECT ON ${db}.* TO '${users.reader}'@'%'`);
      await admin.query(`GRANT SELECT ON \`${emptyDatabase.name}\`.* TO '${users.reader}'@'%'`);
      // Sees the first table in the catalog, but may not read it.
      await admin.query(`GRANT INSERT ON ${db}.\`a \`\`quoted\`\` table\` TO '${users.limited}'@'%'`);
      await admin.query(`GRANT SELECT ON *.* TO '${users.global}'@'%'`);
    });

    dnsServer = await startDnsServer({ 'mysql.plumbline.test': '127.0.0.1', 'other.plumbline.test': '127.0.0.1' });
    process.env[DNS_SERVERS_ENV] = dnsServer.address;

    ca = await createCa({ commonName: 'Plumbline connector test CA', validDays: 1 });
    // No 'localhost' name: Node falls back to checking 'localhost' when it is given no name to check.
    const serverCert = await issueCertificate(ca, {
      identity: 'fake-mysql',
      loopback: false,
      dnsNames: ['mysql.plumbline.test'],
      ipAddresses: ['127.0.0.1'],
      validDays: 1,
    });
    fakeTls = await startFakeMysql({ tls: serverCert });
  });

  afterAll(async () => {
    delete process.env[DNS_SERVERS_ENV];
    await fakeTls?.close();
    await dnsServer?.close();
    await database?.drop();
    await emptyDatabase?.drop();
    await mysqlAdmin(async (admin) => {
      for (const user of Object.values(users)) await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
    });
  });

  it('passes every step for a readable database, timing each', async () => {
    const result = await sut.test(target(), within());

    expect(statuses(result)).toEqual(ALL_PASSED);
    expect(result).toMatchObject({ ok: true, errorCode: TestErrorCode.UNSPECIFIED });
    for (const step of result.steps) expect(step.durationMs).toBeGreaterThanOrEqual(1);
    // The local MariaDB has TLS disabled: prefer continues in clear text.
    expect(stepOf(result, StepName.TLS).message).toContain('server does not offer TLS; continuing unencrypted');
    expect(stepOf(result, StepName.PRIVILEGE_PROBE).message).toContain('SELECT from `' + database.name + '`.`a ``quoted`` table`');
    expect(result.summary).toContain(`database '${database.name}' readable`);
    expectNoSecret(result);
  });

  it('resolves a host name through PLUMBLINE_DNS_SERVERS and connects to the resolved IP', async () => {
    const result = await sut.test(target({ host: 'mysql.plumbline.test' }), within());

    expect(statuses(result)).toEqual(ALL_PASSED);
    expect(stepOf(result, StepName.DNS_RESOLVE).message).toContain('mysql.plumbline.test resolved to 127.0.0.1');
  });

  it('fails DNS_RESOLVE with DNS_FAILURE for a name that does not exist', async () => {
    const result = await sut.test(target({ host: 'missing.plumbline.test' }), within());

    expect(result).toMatchObject({ ok: false, errorCode: TestErrorCode.DNS_FAILURE });
    expect(statuses(result).slice(0, 2)).toEqual(['DNS_RESOLVE:FAILED', 'TCP_CONNECT:SKIPPED']);
    expectNoSecret(result);
  });

  it('fails AUTHENTICATE with AUTHENTICATION_FAILED on a wrong password', async () => {
    const wrong = `Wr0ng-${randomBytes(6).toString('hex')}`;
    const result = await sut.test(target({ password: wrong }), within());

    const auth = stepOf(result, StepName.AUTHENTICATE);
    expect(auth).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.AUTHENTICATION_FAILED });
    expect(auth.message).toContain(`'${users.reader}'@${host}:${port}`);
    expect(statuses(result).slice(4)).toEqual(['SCOPE_PROBE:SKIPPED', 'PRIVILEGE_PROBE:SKIPPED']);
    expect(JSON.stringify(result)).not.toContain(wrong);
    expectNoSecret(result);
  });

  it('fails TCP_CONNECT with CONNECTION_REFUSED on a closed port, naming the source address to allow', async () => {
    const closed = await closedLoopbackPort();
    const result = await sut.test(target({ port: String(closed) }), within());

    const tcp = stepOf(result, StepName.TCP_CONNECT);
    expect(tcp).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.CONNECTION_REFUSED });
    expect(tcp.hint).toContain(`allow 127.0.0.1 → 127.0.0.1:${closed}`);
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
      expect(tcp.hint).toContain(`allow 127.0.0.1 → 127.0.0.1:${blackhole.port}`);
      expectNoSecret(result);
    } finally {
      await blackhole.close();
    }
  });

  it('fails SCOPE_PROBE with DATABASE_NOT_FOUND for an unknown database (1049)', async () => {
    const result = await sut.test(target({ username: users.global }, { database: uniqueName('pl_missing_db') }), within());

    expect(statuses(result).slice(3)).toEqual(['AUTHENTICATE:PASSED', 'SCOPE_PROBE:FAILED', 'PRIVILEGE_PROBE:SKIPPED']);
    expect(result.errorCode).toBe(TestErrorCode.DATABASE_NOT_FOUND);
    expectNoSecret(result);
  });

  it('fails SCOPE_PROBE with PERMISSION_DENIED for a database the user has no rights on (1044)', async () => {
    const result = await sut.test(target({ username: users.outsider }), within());

    const scope = stepOf(result, StepName.SCOPE_PROBE);
    expect(scope).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.PERMISSION_DENIED });
    expect(scope.hint).toContain(`GRANT SELECT ON \`${database.name}\`.*`);
    expect(stepOf(result, StepName.AUTHENTICATE).status).toBe(StepStatus.PASSED);
    expectNoSecret(result);
  });

  it('fails PRIVILEGE_PROBE with PERMISSION_DENIED when the user cannot SELECT the first table', async () => {
    const result = await sut.test(target({ username: users.limited }), within());

    const privileges = stepOf(result, StepName.PRIVILEGE_PROBE);
    expect(privileges).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.PERMISSION_DENIED });
    expect(privileges.message).toContain('cannot SELECT from `' + database.name + '`.`a ``quoted`` table`');
    expect(statuses(result).slice(0, 5)).toEqual(ALL_PASSED.slice(0, 5));
    expectNoSecret(result);
  });

  it('passes PRIVILEGE_PROBE for a database without tables, saying there was nothing to SELECT from', async () => {
    const result = await sut.test(target({}, { database: emptyDatabase.name }), within());

    expect(statuses(result)).toEqual(ALL_PASSED);
    expect(stepOf(result, StepName.PRIVILEGE_PROBE).message).toContain('nothing to SELECT from');
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

  describe('against a TLS server', () => {
    const tlsTarget = (properties: Record<string, string>) =>
      target({ host: '127.0.0.1', port: String(fakeTls.port), ...properties });

    it('logs in over TLS verified for an IP literal (verify-full)', async () => {
      const result = await sut.test(tlsTarget({ ssl_mode: 'verify-full', ssl_ca: ca.certPem }), within());

      expect(stepOf(result, StepName.TLS).status).toBe(StepStatus.PASSED);
      // The fake answers 1045 to everyone; what matters is that the login arrived encrypted.
      expect(stepOf(result, StepName.AUTHENTICATE).errorCode).toBe(TestErrorCode.AUTHENTICATION_FAILED);
      expect(fakeTls.logins.at(-1)).toMatchObject({ user: users.reader, encrypted: true });
      expectNoSecret(result);
    });

    it('logs in over TLS verified for a host name (verify-full)', async () => {
      const result = await sut.test(
        tlsTarget({ host: 'mysql.plumbline.test', ssl_mode: 'verify-full', ssl_ca: ca.certPem }),
        within(),
      );

      expect(stepOf(result, StepName.TLS).status).toBe(StepStatus.PASSED);
      expect(stepOf(result, StepName.AUTHENTICATE).errorCode).toBe(TestErrorCode.AUTHENTICATION_FAILED);
      expect(fakeTls.logins.at(-1)).toMatchObject({ encrypted: true });
    });

    it('checks an IP literal against the IP, not a fallback name (verify-full)', async () => {
      const localhostOnly = await issueCertificate(ca, { identity: 'fake-mysql', loopback: false, dnsNames: ['localhost'], validDays: 1 });
      const fake = await startFakeMysql({ tls: localhostOnly });
      try {
        const result = await sut.test(
          target({ host: '127.0.0.1', port: String(fake.port), ssl_mode: 'verify-full', ssl_ca: ca.certPem }),
          within(),
        );

        const tls = stepOf(result, StepName.TLS);
        expect(tls).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TLS_FAILED });
        expect(tls.message).toContain('does not name 127.0.0.1');
        expect(fake.logins).toEqual([]);
      } finally {
        await fake.close();
      }
    });

    it('reports an untrusted certificate at TLS and skips AUTHENTICATE', async () => {
      const logins = fakeTls.logins.length;
      const result = await sut.test(tlsTarget({ ssl_mode: 'verify-ca' }), within());

      expect(statuses(result).slice(2)).toEqual(['TLS:FAILED', 'AUTHENTICATE:SKIPPED', 'SCOPE_PROBE:SKIPPED', 'PRIVILEGE_PROBE:SKIPPED']);
      const tls = stepOf(result, StepName.TLS);
      expect(tls.errorCode).toBe(TestErrorCode.TLS_FAILED);
      expect(tls.message).toContain('is not trusted');
      expect(fakeTls.logins.length).toBe(logins);
      expectNoSecret(result);
    });

    it('reports a certificate that does not name the host at TLS (verify-full)', async () => {
      const result = await sut.test(
        tlsTarget({ host: 'other.plumbline.test', ssl_mode: 'verify-full', ssl_ca: ca.certPem }),
        within(),
      );

      const tls = stepOf(result, StepName.TLS);
      expect(tls).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TLS_FAILED });
      expect(tls.message).toContain('does not name other.plumbline.test');
    });
  });

  it('fails TLS with TIMEOUT when the server accepts TCP but sends no greeting', async () => {
    const silent = await startSilentServer();
    try {
      const result = await sut.test(target({ port: String(silent.port) }), within(1_500));

      const tls = stepOf(result, StepName.TLS);
      expect(tls).toMatchObject({ status: StepStatus.FAILED, errorCode: TestErrorCode.TIMEOUT });
      expect(tls.hint).toContain('allow 127.0.0.1 →');
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
    const result = await sut.test(target({ ssl_mode: 'sometimes' }), within());

    expect(result).toMatchObject({ ok: false, errorCode: TestErrorCode.INVALID_CONFIGURATION });
    expect(result.summary).toContain("'ssl_mode'");
    expectNoSecret(result);
  });
});
