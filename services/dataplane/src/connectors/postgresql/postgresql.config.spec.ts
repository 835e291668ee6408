import { ConfigError } from '../probe';
import { parsePostgresqlTarget } from './postgresql.config';

const target = (properties: Record<string, string>, scope: Record<string, string> = { database: 'analytics' }) => ({
  connector: 'postgresql',
  authMethod: 'basic',
  properties: { host: 'db.example', username: 'alice', ...properties },
  scope,
});

describe(parsePostgresqlTarget.name, () => {
  it('applies the catalog defaults', () => {
    expect(parsePostgresqlTarget(target({}))).toEqual({
      host: 'db.example',
      port: 5432,
      username: 'alice',
      password: '',
      tls: { mode: 'prefer' },
      database: 'analytics',
      schema: 'public',
      connectionLevel: false,
    });
  });

  it('reads an empty scope as a connection-level check against the postgres database', () => {
    expect(parsePostgresqlTarget(target({}, {}))).toMatchObject({ database: 'postgres', connectionLevel: true });
  });

  it('still requires the database when some scope is given', () => {
    expect(() => parsePostgresqlTarget(target({}, { schema: 'sales' }))).toThrow(/database/);
  });

  it('reads every property', () => {
    const sut = parsePostgresqlTarget(
      target(
        { port: '6432', password: 'pw', ssl_mode: 'verify-full', ssl_ca: '-----BEGIN CERTIFICATE-----\nx' },
        { database: 'analytics', schema: 'sales' },
      ),
    );

    expect(sut).toMatchObject({ port: 6432, password: 'pw', schema: 'sales', tls: { mode: 'verify-full' } });
  });

  it.each([
    [{ host: '' }, {}, 'host'],
    [{ username: '' }, {}, 'username'],
    [{ port: 'x' }, {}, 'port'],
    [{}, { database: '' }, 'scope.database'],
  ])('names the bad property (%p, %p)', (properties, scope, property) => {
    const run = () => parsePostgresqlTarget(target(properties, { database: 'analytics', ...scope }));
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (error) {
      expect((error as ConfigError).property).toBe(property);
    }
  });
});
