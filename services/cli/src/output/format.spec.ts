import { create } from '@bufbuild/protobuf';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import { dataplane } from '@plumbline/proto';
import { enumName, formatMap, formatTime, orDash } from './format';

describe(formatTime.name, () => {
  it('prints ISO-8601 to the second', () => {
    expect(formatTime(create(TimestampSchema, { seconds: 1_700_000_000n, nanos: 123_000_000 }))).toBe('2023-11-14T22:13:20Z');
  });

  it('prints a dash when absent', () => {
    expect(formatTime(undefined)).toBe('-');
  });
});

describe(formatMap.name, () => {
  it('sorts keys', () => {
    expect(formatMap({ schema: 'public', database: 'sales' })).toBe('database=sales, schema=public');
  });

  it('prints a dash when empty', () => {
    expect(formatMap({})).toBe('-');
  });
});

describe(enumName.name, () => {
  it('names known values and prints unknown ones as numbers', () => {
    expect(enumName(dataplane.TestErrorCode, dataplane.TestErrorCode.CONNECTION_REFUSED)).toBe('CONNECTION_REFUSED');
    expect(enumName(dataplane.TestErrorCode, 999)).toBe('999');
  });
});

describe(orDash.name, () => {
  it('replaces only the empty string', () => {
    expect([orDash(''), orDash('x')]).toEqual(['-', 'x']);
  });
});
