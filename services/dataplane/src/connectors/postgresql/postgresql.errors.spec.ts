import { dataplane } from '@plumbline/proto';
import { Endpoint } from '../probe';
import {
  classifyPostgresqlLoginError,
  classifyPostgresqlQueryError,
  type PostgresqlErrorContext,
} from './postgresql.errors';

const { StepName, TestErrorCode } = dataplane;

const context = (overrides: Partial<PostgresqlErrorContext> = {}): PostgresqlErrorContext => ({
  endpoint: new Endpoint('db.example', 5432, '10.0.0.5', '10.1.2.3'),
  username: 'alice',
  database: 'analytics',
  tls: { mode: 'prefer' },
  encrypted: false,
  serverOffersTls: false,
  ...overrides,
});
const serverError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe(classifyPostgresqlLoginError.name, () => {
  it('maps 28P01 to AUTHENTICATION_FAILED naming user@host:port', () => {
    const sut = classifyPostgresqlLoginError(serverError('28P01', 'password authentication failed for user "alice"'), context());

    expect(sut.afterAuthentication).toBe(false);
    expect(sut.error.code).toBe(TestErrorCode.AUTHENTICATION_FAILED);
    expect(sut.error.message).toContain('alice@db.example:5432');
  });

  it('maps 3D000 to DATABASE_NOT_FOUND after authentication', () => {
    const sut = classifyPostgresqlLoginError(serverError('3D000', 'database "analytics" does not exist'), context());

    expect(sut).toMatchObject({ afterAuthentication: true, error: { code: TestErrorCode.DATABASE_NOT_FOUND } });
  });

  it('maps a CONNECT denial to PERMISSION_DENIED after authentication', () => {
    const sut = classifyPostgresqlLoginError(serverError('42501', 'permission denied for database "analytics"'), context());

    expect(sut).toMatchObject({ afterAuthentication: true, error: { code: TestErrorCode.PERMISSION_DENIED } });
    expect(sut.error.hint).toBe('GRANT CONNECT ON DATABASE "analytics" TO "alice"');
  });

  it('maps a pg_hba rejection of an unencrypted login to TLS_REQUIRED at the TLS step', () => {
    const message = 'no pg_hba.conf entry for host "10.1.2.3", user "alice", database "analytics", no encryption';
    const sut = classifyPostgresqlLoginError(serverError('28000', message), context({ serverOffersTls: undefined }));

    expect(sut.error).toMatchObject({ code: TestErrorCode.TLS_REQUIRED, options: { reportAt: StepName.TLS } });
  });

  it('maps a pg_hba rejection to AUTHENTICATION_FAILED when TLS is not an option, naming the source address', () => {
    const message = 'no pg_hba.conf entry for host "10.1.2.3", user "alice", database "analytics", no encryption';
    const sut = classifyPostgresqlLoginError(serverError('28000', message), context({ serverOffersTls: false }));

    expect(sut.error.code).toBe(TestErrorCode.AUTHENTICATION_FAILED);
    expect(sut.error.hint).toContain('from 10.1.2.3');
  });

  it.each([
    ['role "bob" does not exist', 'does not exist'],
    ['role "alice" is not permitted to log in', 'not permitted to log in'],
  ])('maps 28000 %p to AUTHENTICATION_FAILED', (message, expected) => {
    const sut = classifyPostgresqlLoginError(serverError('28000', message), context());
    expect(sut.error.code).toBe(TestErrorCode.AUTHENTICATION_FAILED);
    expect(sut.error.message).toContain(expected);
  });

  it('maps a missing password to AUTHENTICATION_FAILED', () => {
    const sut = classifyPostgresqlLoginError(
      new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a non-empty string'),
      context(),
    );
    expect(sut.error.code).toBe(TestErrorCode.AUTHENTICATION_FAILED);
    expect(sut.error.message).toContain('none was given');
  });

  it('maps certificate errors during login to TLS_FAILED at the TLS step', () => {
    const sut = classifyPostgresqlLoginError(
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      context({ encrypted: true, tls: { mode: 'verify-ca' } }),
    );
    expect(sut.error).toMatchObject({ code: TestErrorCode.TLS_FAILED, options: { reportAt: StepName.TLS } });
  });

  it('maps the connect timeout to TIMEOUT with the firewall hint', () => {
    const sut = classifyPostgresqlLoginError(new Error('timeout expired'), context());
    expect(sut.error.code).toBe(TestErrorCode.TIMEOUT);
    expect(sut.error.hint).toContain('allow 10.1.2.3 → db.example:5432');
  });

  it('maps network errors and keeps unknown SQLSTATEs as INTERNAL', () => {
    expect(
      classifyPostgresqlLoginError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), context()).error.code,
    ).toBe(TestErrorCode.CONNECTION_REFUSED);
    expect(classifyPostgresqlLoginError(serverError('XX000', 'internal'), context()).error.code).toBe(TestErrorCode.INTERNAL);
  });
});

describe(classifyPostgresqlQueryError.name, () => {
  it('maps 42501 to PERMISSION_DENIED and a statement timeout to TIMEOUT', () => {
    expect(classifyPostgresqlQueryError(serverError('42501', 'permission denied'), context(), 'x').code).toBe(
      TestErrorCode.PERMISSION_DENIED,
    );
    expect(classifyPostgresqlQueryError(serverError('57014', 'canceling statement'), context(), 'x').code).toBe(
      TestErrorCode.TIMEOUT,
    );
    expect(classifyPostgresqlQueryError(new Error('Query read timeout'), context(), 'x').code).toBe(TestErrorCode.TIMEOUT);
  });
});
