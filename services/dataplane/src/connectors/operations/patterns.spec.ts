import { inferTypeFromShapes, PATTERN_SHAPES, PATTERNS, possibleShapes } from './patterns';
import { type PatternShape } from './types';

describe('PATTERNS', () => {
  const cases: [PatternShape, string[], string[]][] = [
    ['integer', ['0', '-12', '+7', '0042'], ['1.5', '', '1e3', ' 1']],
    ['decimal', ['1', '-1.50', '.5', '3.', '6.02e23', '1E-3'], ['1,5', 'abc', '.', '1.2.3']],
    ['boolean', ['true', 'FALSE', 'True'], ['yes', '1', 'truth']],
    ['iso_date', ['2024-02-29', '1999-12-31'], ['2024-2-29', '29.02.2024', '2024-02-29T00:00']],
    ['iso_timestamp', ['2024-02-29 10:15', '2024-02-29T10:15:30', '2024-02-29T10:15:30.123Z', '2024-02-29 10:15:30+02:00'], ['2024-02-29', '10:15']],
    ['uuid', ['123e4567-e89b-12d3-a456-426614174000', '123E4567-E89B-12D3-A456-426614174000'], ['123e4567e89b12d3a456426614174000', 'x23e4567-e89b-12d3-a456-426614174000']],
    ['email', ['a@b.co', 'first.last+tag@sub.example.org'], ['a@b', '@b.co', 'a b@c.de', 'a@b.c']],
  ];

  it.each(cases)('%s accepts and rejects the right values', (shape, good, bad) => {
    const regex = new RegExp(PATTERNS[shape]);
    for (const value of good) expect([value, regex.test(value)]).toEqual([value, true]);
    for (const value of bad) expect([value, regex.test(value)]).toEqual([value, false]);
  });

  it('uses only constructs PostgreSQL, MariaDB, MySQL 8 and JavaScript read alike', () => {
    for (const pattern of Object.values(PATTERNS)) expect(pattern).not.toMatch(/\\[dswb]|\(\?|\\/);
  });
});

describe(inferTypeFromShapes.name, () => {
  it('picks the first shape every non-null value has, integer before decimal', () => {
    expect(inferTypeFromShapes('string', 10, { integer: 10, decimal: 10 })).toBe('integer');
    expect(inferTypeFromShapes('string', 10, { integer: 9, decimal: 10 })).toBe('decimal');
    expect(inferTypeFromShapes('string', 10, { iso_date: 10 })).toBe('date');
    expect(inferTypeFromShapes('string', 10, { iso_timestamp: 10 })).toBe('timestamp');
    expect(inferTypeFromShapes('string', 10, { uuid: 10 })).toBe('uuid');
    expect(inferTypeFromShapes('string', 10, { boolean: 10 })).toBe('boolean');
  });

  it('keeps the declared type otherwise', () => {
    expect(inferTypeFromShapes('string', 10, { email: 10 })).toBe('string');
    expect(inferTypeFromShapes('string', 0, { integer: 0 })).toBe('string');
    expect(inferTypeFromShapes('string', 10, null)).toBe('string');
  });
});

describe(possibleShapes.name, () => {
  it('keeps the shapes every non-null sampled value has', () => {
    expect(possibleShapes(['12', null, '-3'])).toEqual(['integer', 'decimal']);
    expect(possibleShapes(['a@b.co', 'x.y@z.org'])).toEqual(['email']);
    expect(possibleShapes(['12', 'twelve'])).toEqual([]);
  });

  it('keeps every shape when the sample has no value to rule one out', () => {
    expect(possibleShapes([])).toEqual(PATTERN_SHAPES);
    expect(possibleShapes([null, null])).toEqual(PATTERN_SHAPES);
  });
});
