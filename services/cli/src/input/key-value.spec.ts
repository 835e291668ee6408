import { CliError, CliErrorCode } from '../errors/cli-error';
import { collect, mergeDistinct, parseKeyValue, parseKeyValues, positiveInteger } from './key-value';

function thrown(work: () => unknown): CliError {
  try {
    work();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe(parseKeyValue.name, () => {
  it('splits at the first "=" so values may hold more', () => {
    expect(parseKeyValue('jdbc_options=a=1&b=2', '--property')).toEqual({ key: 'jdbc_options', value: 'a=1&b=2' });
  });

  it('keeps an empty value and the value exactly as given', () => {
    expect(parseKeyValue('schema=', '--scope')).toEqual({ key: 'schema', value: '' });
    expect(parseKeyValue('password= s3cr et ', '--property')).toEqual({ key: 'password', value: ' s3cr et ' });
  });

  it('accepts dotted, dashed and underscored keys', () => {
    expect(parseKeyValue('ssl.mode-x_1=y', '--property').key).toBe('ssl.mode-x_1');
  });

  it('refuses an argument without "=" naming the flag but never echoing the argument', () => {
    const sut = thrown(() => parseKeyValue('hunter2-secret', '--property'));
    expect(sut.code).toBe(CliErrorCode.Usage);
    expect(sut.message).toContain('--property expects key=value');
    expect(sut.message).not.toContain('hunter2');
  });

  it('refuses an empty key without echoing the value', () => {
    const sut = thrown(() => parseKeyValue('=hunter2-secret', '--property'));
    expect(sut.message).toContain('empty key');
    expect(sut.message).not.toContain('hunter2');
  });

  it('refuses a key that is not a property name', () => {
    expect(thrown(() => parseKeyValue('my key=1', '--scope')).message).toContain('"my key" is not a property name');
  });
});

describe(parseKeyValues.name, () => {
  it('builds a map', () => {
    expect(parseKeyValues(['database=sales', 'schema=public'], '--scope')).toEqual({ database: 'sales', schema: 'public' });
  });

  it('refuses a key given twice, naming it', () => {
    const sut = thrown(() => parseKeyValues(['host=a', 'host=b'], '--property'));
    expect(sut.code).toBe(CliErrorCode.Usage);
    expect(sut.message).toBe('--property: "host" is given more than once');
  });

  it('is empty for no arguments', () => {
    expect(parseKeyValues([], '--scope')).toEqual({});
  });
});

describe(mergeDistinct.name, () => {
  it('refuses the same key from two flags', () => {
    const sut = thrown(() => mergeDistinct([[{ key: 'password', value: 'a' }], [{ key: 'password', value: 'b' }]], 'property'));
    expect(sut.message).toContain('"password" is given more than once');
    expect(sut.message).not.toMatch(/: "?[ab]"?$/);
  });

  it('does not treat prototype names as present', () => {
    expect(mergeDistinct([[{ key: 'constructor', value: 'x' }]], 'property')).toEqual({ constructor: 'x' });
  });
});

describe(collect.name, () => {
  it('appends repeated flags in order', () => {
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });
});

describe(positiveInteger.name, () => {
  const sut = positiveInteger('--timeout');

  it('parses a positive integer', () => {
    expect(sut('1500')).toBe(1500);
  });

  it.each(['0', '-1', '1.5', 'abc', '', '1e3'])('refuses %j naming the flag', (raw) => {
    expect(thrown(() => sut(raw)).message).toContain('--timeout expects a positive integer');
  });
});
