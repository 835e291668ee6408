import { isSecretPropertyName, scrub, SCRUBBED, secretValuesOf } from './scrub';

describe(scrub.name, () => {
  it('removes every occurrence of every secret', () => {
    expect(scrub('pw=hunter2 again hunter2, key=abc', ['hunter2', 'abc'])).toBe(`pw=${SCRUBBED} again ${SCRUBBED}, key=${SCRUBBED}`);
  });

  it('removes the URL-encoded and JSON-escaped forms a driver may echo', () => {
    const secret = 'p@ss w/"quote"';
    const text = `postgres://u:${encodeURIComponent(secret)}@h/db ${JSON.stringify({ password: secret })}`;

    const sut = scrub(text, [secret]);

    expect(sut).not.toContain(encodeURIComponent(secret));
    expect(sut).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(sut).toBe(`postgres://u:${SCRUBBED}@h/db {"password":"${SCRUBBED}"}`);
  });

  it('removes a secret that contains another one whole', () => {
    expect(scrub('token abcdef', ['abc', 'abcdef'])).toBe(`token ${SCRUBBED}`);
  });

  it('treats regular-expression characters literally', () => {
    expect(scrub('a.*b and axxb', ['a.*b'])).toBe(`${SCRUBBED} and axxb`);
  });

  it('leaves text alone without secrets, and ignores empty ones', () => {
    expect(scrub('nothing to hide', [])).toBe('nothing to hide');
    expect(scrub('nothing to hide', [''])).toBe('nothing to hide');
  });
});

describe(secretValuesOf.name, () => {
  it('collects the values of secret-looking properties only', () => {
    const sut = secretValuesOf({
      host: 'db',
      username: 'alice',
      password: 'pw',
      ssl_key: 'KEY',
      private_key_passphrase: 'pp',
      client_secret: 'cs',
      ssl_ca: 'CA',
      empty_password: '',
    });

    expect(sut.sort()).toEqual(['KEY', 'cs', 'pp', 'pw']);
  });

  it.each(['password', 'ssl_key', 'access_key', 'token', 'secret_access_key'])('treats %s as secret', (name) => {
    expect(isSecretPropertyName(name)).toBe(true);
  });

  it.each(['host', 'username', 'ssl_ca', 'ssl_mode', 'keyspace'])('treats %s as not secret', (name) => {
    expect(isSecretPropertyName(name)).toBe(false);
  });
});
