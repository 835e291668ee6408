import {
  checkAuthMethod,
  ConfigError,
  hostProperty,
  optionalString,
  pemProperty,
  portProperty,
  rawString,
  requiredString,
  sslModeProperty,
} from './config';

const thrown = (work: () => unknown): ConfigError => {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('connector property readers', () => {
  it('reads required and optional strings, trimmed', () => {
    expect(requiredString({ username: ' alice ' }, 'username')).toBe('alice');
    expect(optionalString({ schema: '  ' }, 'schema')).toBeUndefined();
    expect(thrown(() => requiredString({}, 'database', 'scope')).property).toBe('scope.database');
  });

  it('keeps raw values verbatim and does not read inherited keys', () => {
    expect(rawString({ password: ' pw ' }, 'password')).toBe(' pw ');
    expect(rawString({}, 'password')).toBe('');
    expect(optionalString({}, 'toString')).toBeUndefined();
  });

  it.each([
    ['', 5432],
    ['6543', 6543],
  ])('reads port %p as %p', (value, expected) => {
    expect(portProperty({ port: value }, 'port', 5432)).toBe(expected);
  });

  it.each(['0', '65536', 'abc', '54.3', '-1'])('rejects port %p naming the property', (value) => {
    const sut = thrown(() => portProperty({ port: value }, 'port', 5432));
    expect(sut.property).toBe('port');
    expect(sut.message).toContain(`'${value}'`);
  });

  it.each([
    ['db.example.com', 'db.example.com'],
    ['10.0.0.5', '10.0.0.5'],
    ['::1', '::1'],
    ['[::1]', '::1'],
  ])('accepts host %p', (value, expected) => {
    expect(hostProperty({ host: value })).toBe(expected);
  });

  it.each(['db.example.com:5432', 'postgres://db', 'db example', ''])('rejects host %p', (value) => {
    expect(thrown(() => hostProperty({ host: value })).property).toBe('host');
  });

  it('reads ssl_mode with a default and rejects unknown modes', () => {
    expect(sslModeProperty({}, 'ssl_mode', 'prefer')).toBe('prefer');
    expect(sslModeProperty({ ssl_mode: 'verify-full' }, 'ssl_mode', 'prefer')).toBe('verify-full');
    expect(thrown(() => sslModeProperty({ ssl_mode: 'REQUIRED' }, 'ssl_mode', 'prefer')).property).toBe('ssl_mode');
  });

  it('accepts a PEM certificate and rejects anything else', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(pemProperty({ ssl_ca: pem }, 'ssl_ca')).toBe(pem);
    expect(pemProperty({}, 'ssl_ca')).toBeUndefined();
    expect(thrown(() => pemProperty({ ssl_ca: 'not a pem' }, 'ssl_ca')).property).toBe('ssl_ca');
  });

  it('accepts the supported auth methods and an empty one', () => {
    expect(() => checkAuthMethod('basic', ['basic'])).not.toThrow();
    expect(() => checkAuthMethod('', ['basic'])).not.toThrow();
    expect(thrown(() => checkAuthMethod('keypair', ['basic'])).property).toBe('auth_method');
  });
});
