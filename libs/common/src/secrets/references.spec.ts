import { SecretReferenceError, SecretReferenceErrorCode } from './errors';
import { findReferences, hasReferences, substituteReferences } from './references';

function captureError(fn: () => unknown): SecretReferenceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecretReferenceError) return error;
    throw error;
  }
  throw new Error('expected a SecretReferenceError');
}

describe(findReferences.name, () => {
  it('finds several references in one value, once each, in order', () => {
    expect(findReferences('${user}:${pass}@${host}/${user}')).toEqual(['user', 'pass', 'host']);
  });

  it('accepts letters, digits, dot, underscore, dash and slash in keys', () => {
    expect(findReferences('${a.B_c-9/d}')).toEqual(['a.B_c-9/d']);
  });

  it('ignores plain text, lone dollars and escaped references', () => {
    expect(findReferences('pa$$word $ {x} $${not_a_ref}')).toEqual([]);
  });

  it.each([
    ['empty key', 'x${}'],
    ['unclosed', 'abc${key'],
    ['bad character', '${has space}'],
    ['nested', '${a${b}}'],
  ])('rejects a malformed reference (%s) without quoting the value', (_label, value) => {
    const sut = captureError(() => findReferences(value, 'password'));
    expect(sut.code).toBe(SecretReferenceErrorCode.MALFORMED_REFERENCE);
    expect(sut.field).toBe('properties.password');
    expect(sut.message).toMatch(/^malformed reference in property password at character \d+/);
    expect(sut.message).not.toContain(value);
  });
});

describe(hasReferences.name, () => {
  it('tells whether any property references a key', () => {
    expect(hasReferences({ host: 'db', password: '${pw}' })).toBe(true);
    expect(hasReferences({ host: 'db', password: '$${pw}' })).toBe(false);
  });
});

describe(substituteReferences.name, () => {
  const data = { user: 'alice', pass: 's3cr3t', port: '5432' };

  it('replaces every reference and keeps other properties as they are', () => {
    const sut = substituteReferences(
      { host: 'db.example', username: '${user}', password: '${pass}', url: 'pg://${user}:${pass}@h:${port}/d' },
      data,
    );
    expect(sut).toEqual({
      host: 'db.example',
      username: 'alice',
      password: 's3cr3t',
      url: 'pg://alice:s3cr3t@h:5432/d',
    });
  });

  it('turns $${ into a literal ${ and does not rescan substituted values', () => {
    const sut = substituteReferences({ a: 'x$${user}y', b: '${weird}' }, { weird: '${user}', user: 'alice' });
    expect(sut).toEqual({ a: 'x${user}y', b: '${user}' });
  });

  it('does not resolve keys from the prototype chain', () => {
    const sut = captureError(() => substituteReferences({ p: '${constructor}' }, data));
    expect(sut.code).toBe(SecretReferenceErrorCode.REFERENCE_NOT_FOUND);
  });

  it('keeps a property named __proto__ as data', () => {
    const sut = substituteReferences(JSON.parse('{"__proto__": "${user}"}') as Record<string, string>, data);
    expect(Object.getPrototypeOf(sut)).toBe(Object.prototype);
    expect(Object.hasOwn(sut, '__proto__')).toBe(true);
  });

  it('names the property, the key and the available key names for an unknown key, never values', () => {
    const sut = captureError(() =>
      substituteReferences({ username: '${user}', password: 'prefix-${db_password}' }, { user: 'alice', pass: 's3cr3t' }),
    );
    expect(sut).toBeInstanceOf(SecretReferenceError);
    expect(sut.code).toBe(SecretReferenceErrorCode.REFERENCE_NOT_FOUND);
    expect(sut.field).toBe('properties.password');
    expect(sut.message).toBe(
      'reference ${db_password} in property password not found among the keys returned: pass, user',
    );
    expect(sut.details).toEqual({ key: 'db_password', availableKeys: ['pass', 'user'] });
    const everything = `${sut.message} ${JSON.stringify(sut)}`;
    expect(everything).not.toContain('alice');
    expect(everything).not.toContain('s3cr3t');
    expect(everything).not.toContain('prefix-');
  });

  it('says when the secrets manager returned no keys at all', () => {
    const sut = captureError(() => substituteReferences({ password: '${pw}' }, {}));
    expect(sut.message).toBe('reference ${pw} in property password not found among the keys returned: (none)');
  });

  it('reports a malformed reference with the property name', () => {
    const sut = captureError(() => substituteReferences({ ok: '${user}', token: 'hunter2${' }, data));
    expect(sut.code).toBe(SecretReferenceErrorCode.MALFORMED_REFERENCE);
    expect(sut.field).toBe('properties.token');
    expect(sut.message).not.toContain('hunter2');
  });
});
