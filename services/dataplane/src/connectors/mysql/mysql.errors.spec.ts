import { dataplane } from '@plumbline/proto';
import { Endpoint } from '../probe';
import { classifyMysqlError, MysqlErrno, type MysqlErrorContext } from './mysql.errors';

const { StepName, TestErrorCode } = dataplane;

const context: MysqlErrorContext = {
  endpoint: new Endpoint('db.example', 3306, '10.0.0.5', '10.1.2.3'),
  username: 'alice',
  database: 'shop',
  tls: { mode: 'prefer' },
  serverOffersTls: true,
};
const serverError = (errno: number, message = 'x') => Object.assign(new Error(message), { errno, code: 'ER_X' });

describe(classifyMysqlError.name, () => {
  it.each([
    [MysqlErrno.ACCESS_DENIED_ERROR, TestErrorCode.AUTHENTICATION_FAILED],
    [MysqlErrno.HOST_NOT_PRIVILEGED, TestErrorCode.AUTHENTICATION_FAILED],
    [MysqlErrno.BAD_DB_ERROR, TestErrorCode.DATABASE_NOT_FOUND],
    [MysqlErrno.DBACCESS_DENIED_ERROR, TestErrorCode.PERMISSION_DENIED],
    [MysqlErrno.TABLEACCESS_DENIED_ERROR, TestErrorCode.PERMISSION_DENIED],
    [MysqlErrno.HOST_IS_BLOCKED, TestErrorCode.CONNECTION_REFUSED],
    [MysqlErrno.STATEMENT_TIMEOUT, TestErrorCode.TIMEOUT],
    [9999, TestErrorCode.INTERNAL],
  ])('maps errno %p to %p', (errno, code) => {
    expect(classifyMysqlError(serverError(errno), context, 'logging in').code).toBe(code);
  });

  it('names user@host:port and the account to create on 1045, never a password', () => {
    const sut = classifyMysqlError(serverError(1045, "Access denied for user 'alice'@'10.1.2.3' (using password: YES)"), context, 'x');

    expect(sut.message).toContain("'alice'@db.example:3306");
    expect(sut.hint).toContain("'alice'@'10.1.2.3'");
  });

  it('reports ER_SECURE_TRANSPORT_REQUIRED as TLS_REQUIRED at the TLS step', () => {
    const sut = classifyMysqlError(serverError(MysqlErrno.SECURE_TRANSPORT_REQUIRED), context, 'logging in');

    expect(sut).toMatchObject({ code: TestErrorCode.TLS_REQUIRED, options: { reportAt: StepName.TLS } });
    expect(sut.hint).toContain('ssl_mode');
  });

  it('reports mysql2 TLS failures at the TLS step with a certificate hint', () => {
    const sut = classifyMysqlError(
      Object.assign(new Error('unable to verify the first certificate'), { code: 'HANDSHAKE_SSL_ERROR' }),
      context,
      'logging in',
    );

    expect(sut).toMatchObject({ code: TestErrorCode.TLS_FAILED, options: { reportAt: StepName.TLS } });
    expect(sut.message).toContain('not trusted');
  });

  it('maps driver timeouts and network errors', () => {
    expect(classifyMysqlError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), context, 'x').code).toBe(
      TestErrorCode.TIMEOUT,
    );
    expect(classifyMysqlError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), context, 'x').code).toBe(
      TestErrorCode.CONNECTION_REFUSED,
    );
  });
});
