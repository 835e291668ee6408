import { assembleFieldProfile, narrowShapes, planFields, type RawAggregates } from './profile-plan';
import { aField } from './testing/catalog-factory';

const raw = (overrides: Partial<RawAggregates>): RawAggregates => ({
  nonNull: 0,
  distinct: 0,
  min: null,
  max: null,
  sum: null,
  mean: null,
  stddev: null,
  powerSums: null,
  quartiles: null,
  minLength: null,
  maxLength: null,
  meanLength: null,
  hasFuture: null,
  patternCounts: null,
  ...overrides,
});

describe(planFields.name, () => {
  it('chooses aggregates by normalized type', () => {
    const plans = planFields([
      aField({ name: 'n', type: 'decimal' }),
      aField({ name: 's', type: 'string' }),
      aField({ name: 'd', type: 'timestamp' }),
      aField({ name: 'j', type: 'json' }),
      aField({ name: 'b', type: 'boolean' }),
    ]);
    expect(plans.map((p) => [p.field.name, p.index, p.distinct, p.extremes, p.numeric, p.temporal, p.text])).toEqual([
      ['n', 0, 'value', 'value', true, false, false],
      ['s', 1, 'value', 'value', false, false, true],
      ['d', 2, 'value', 'value', false, true, false],
      ['j', 3, 'text', 'none', false, false, false],
      ['b', 4, 'value', 'boolean', false, false, false],
    ]);
  });
});

describe(assembleFieldProfile.name, () => {
  it('derives null count, completeness and moments for a number', () => {
    const [plan] = planFields([aField({ name: 'n', type: 'integer' })]);
    if (!plan) throw new Error('no plan');
    const values = [1, 2, 3, 4, 10];
    const sut = assembleFieldProfile(
      plan,
      8,
      raw({
        nonNull: 5,
        distinct: 5,
        min: '1',
        max: '10',
        sum: '20',
        mean: 4,
        stddev: Math.sqrt(12.5),
        powerSums: { n: 5, s1: 20, s2: values.reduce((a, v) => a + v * v, 0), s3: values.reduce((a, v) => a + v ** 3, 0), s4: values.reduce((a, v) => a + v ** 4, 0) },
        quartiles: ['2', '3', '4'],
      }),
    );
    expect(sut).toMatchObject({ rowCount: 8, nullCount: 3, nonNullCount: 5, completeness: 5 / 8, sum: '20', median: '3', minLength: null });
    expect(sut.kurtosis).toBeCloseTo(3.152, 12);
  });

  it('infers a type from string shapes and reports an empty table as complete', () => {
    const [plan] = planFields([aField({ name: 's', type: 'string', declaredType: 'text' })]);
    if (!plan) throw new Error('no plan');
    expect(assembleFieldProfile(plan, 3, raw({ nonNull: 3, patternCounts: { integer: 3 } })).inferredType).toBe('integer');
    expect(assembleFieldProfile(plan, 0, raw({})).completeness).toBe(1);
  });
});

describe(narrowShapes.name, () => {
  it("narrows each text field's shapes to those of its probe column, and leaves other fields alone", () => {
    const plans = planFields([aField({ name: 'n', type: 'integer' }), aField({ name: 'code', type: 'string' }), aField({ name: 'note', type: 'string' })]);
    expect(plans.map((p) => p.shapes.length)).toEqual([0, 7, 7]);
    const narrowed = narrowShapes(plans, [
      { v1: '17', v2: 'hello' },
      { v1: '4', v2: null },
    ]);
    expect(narrowed.map((p) => p.shapes)).toEqual([[], ['integer', 'decimal'], []]);
  });
});
