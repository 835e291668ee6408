import { DEFAULT_THRESHOLDS, expectedValuesCandidates, inferChecks } from './infer-checks';
import { PATTERNS } from './patterns';
import { aProfile } from './testing/catalog-factory';

describe(inferChecks.name, () => {
  const id = aProfile({ field: 'id', min: '1', max: '100', distinctCount: 100 });
  const quantity = aProfile({ field: 'quantity', nullCount: 5, nonNullCount: 95, distinctCount: 40, min: '-3', max: '9' });
  const status = aProfile({ field: 'status', type: 'string', declaredType: 'text', distinctCount: 3, min: 'a', max: 'c', patternCounts: {} });
  const shipped = aProfile({
    field: 'shipped',
    type: 'date',
    declaredType: 'date',
    distinctCount: 90,
    min: '2020-01-01',
    max: '2024-12-31',
    hasFuture: false,
  });
  const planned = aProfile({ ...shipped, field: 'planned', hasFuture: true, max: '2999-01-01' });
  const email = aProfile({
    field: 'email',
    type: 'string',
    distinctCount: 100,
    patternCounts: { email: 100, uuid: 0, iso_date: 0 },
  });
  const empty = aProfile({ field: 'legacy', nullCount: 100, nonNullCount: 0, distinctCount: 0 });
  const profiles = [id, quantity, status, shipped, planned, email, empty];

  it('infers nothing at level 0', () => {
    expect(inferChecks(profiles, 0, new Map([['status', ['a', 'b', 'c']]]))).toEqual([]);
  });

  it('infers level-1 checks that hold, in field order, with stable keys', () => {
    const sut = inferChecks(profiles, 1, new Map([['status', ['a', 'b', 'c']]]));
    expect(sut.map((c) => c.key)).toEqual([
      'not_null:id',
      'not_negative:id',
      'any_not_null:quantity',
      'not_null:status',
      'expected_values:status',
      'not_null:shipped',
      'not_future:shipped',
      'not_null:planned',
      'not_null:email',
    ]);
    expect(sut.find((c) => c.key === 'expected_values:status')).toMatchObject({ type: 'expected_values', values: ['a', 'b', 'c'] });
  });

  it('adds Between, Between Times, Matches Pattern and Unique at level 2', () => {
    const sut = inferChecks(profiles, 2);
    const added = sut.filter((c) => ['between', 'between_times', 'matches_pattern', 'unique'].includes(c.type));
    expect(added).toEqual([
      expect.objectContaining({ key: 'between:id', min: '1', max: '100' }),
      expect.objectContaining({ key: 'unique:id' }),
      expect.objectContaining({ key: 'between:quantity', min: '-3', max: '9' }),
      expect.objectContaining({ key: 'between_times:shipped', min: '2020-01-01', max: '2024-12-31' }),
      expect.objectContaining({ key: 'between_times:planned', max: '2999-01-01' }),
      expect.objectContaining({ key: 'matches_pattern:email', shape: 'email', pattern: PATTERNS.email }),
      expect.objectContaining({ key: 'unique:email' }),
    ]);
  });

  it('does not infer Unique from an estimate, for booleans or json, or from a single value', () => {
    const sut = inferChecks(
      [
        aProfile({ field: 'a', distinctIsEstimate: true }),
        aProfile({ field: 'b', type: 'boolean', rowCount: 2, nonNullCount: 2, distinctCount: 2 }),
        aProfile({ field: 'c', type: 'json', distinctCount: 100 }),
        aProfile({ field: 'd', rowCount: 1, nonNullCount: 1, distinctCount: 1 }),
      ],
      2,
    );
    expect(sut.filter((c) => c.type === 'unique')).toEqual([]);
  });

  it('does not infer Matches Pattern when a single value misses the shape', () => {
    const sut = inferChecks([aProfile({ ...email, patternCounts: { email: 99 } })], 2);
    expect(sut.some((c) => c.type === 'matches_pattern')).toBe(false);
  });

  it('infers nothing for an empty table', () => {
    expect(inferChecks([aProfile({ field: 'x', rowCount: 0, nonNullCount: 0, distinctCount: 0 })], 2)).toEqual([]);
  });
});

describe(expectedValuesCandidates.name, () => {
  it('picks enumerable fields with at most 10 distinct values and at most 5% of the rows', () => {
    const sut = expectedValuesCandidates(
      [
        aProfile({ field: 'status', type: 'string', rowCount: 200, distinctCount: 3 }),
        aProfile({ field: 'tiny', type: 'string', rowCount: 40, distinctCount: 3 }),
        aProfile({ field: 'eleven', type: 'integer', rowCount: 1000, distinctCount: 11 }),
        aProfile({ field: 'flag', type: 'boolean', rowCount: 200, distinctCount: 2 }),
        aProfile({ field: 'ratio', type: 'float', rowCount: 200, distinctCount: 2 }),
        aProfile({ field: 'nothing', type: 'string', rowCount: 200, distinctCount: 0 }),
      ],
      1,
    );
    expect(sut).toEqual(['status']);
  });

  it('honours other thresholds and returns nothing at level 0', () => {
    const status = aProfile({ field: 'status', type: 'string', rowCount: 40, distinctCount: 3 });
    expect(expectedValuesCandidates([status], 1, { ...DEFAULT_THRESHOLDS, maxDistinctRatio: 0.1 })).toEqual(['status']);
    expect(expectedValuesCandidates([status], 0, { maxDistinct: 10, maxDistinctRatio: 1 })).toEqual([]);
  });
});
