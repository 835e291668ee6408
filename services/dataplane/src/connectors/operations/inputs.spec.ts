import { OperationError, OperationErrorCode } from './errors';
import { planScan, readProfileInput, rowKeyOf } from './inputs';
import { aContainer, aField } from './testing/catalog-factory';
import { type Check } from './types';

function failureOf(work: () => unknown): OperationError {
  try {
    work();
  } catch (error) {
    if (error instanceof OperationError) return error;
    throw error;
  }
  throw new Error('expected an OperationError');
}

describe(readProfileInput.name, () => {
  it('defaults to the whole table at inference level 1', () => {
    expect(readProfileInput({ container: 'orders' })).toEqual({
      container: 'orders',
      sampleFraction: null,
      recordLimit: null,
      inferenceLevel: 1,
    });
  });

  it('treats a fraction of 1 as no sampling', () => {
    expect(readProfileInput({ container: 'orders', sampleFraction: 1 }).sampleFraction).toBeNull();
  });

  it.each([
    [{ container: '' }, "'container'"],
    [{ container: 'o', sampleFraction: 0 }, "'sampleFraction'"],
    [{ container: 'o', sampleFraction: 1.01 }, "'sampleFraction'"],
    [{ container: 'o', sampleFraction: Number.NaN }, "'sampleFraction'"],
    [{ container: 'o', recordLimit: 0 }, "'recordLimit'"],
    [{ container: 'o', recordLimit: 2.5 }, "'recordLimit'"],
    [{ container: 'o', inferenceLevel: 3 as 2 }, "'inferenceLevel'"],
  ])('rejects %j naming the input', (input, name) => {
    const error = failureOf(() => readProfileInput(input));
    expect(error.code).toBe(OperationErrorCode.INVALID_ARGUMENT);
    expect(error.message).toContain(name);
  });
});

describe(planScan.name, () => {
  const id = aField({ name: 'id', nullable: false, primaryKey: true });
  const amount = aField({ name: 'amount', type: 'decimal', declaredType: 'numeric(10,2)' });
  const status = aField({ name: 'status', type: 'string', declaredType: 'text' });
  const at = aField({ name: 'at', type: 'timestamp', declaredType: 'timestamp' });
  const doc = aField({ name: 'doc', type: 'json', declaredType: 'jsonb' });
  const orders = aContainer({ name: 'orders', fields: [id, amount, status, at, doc], primaryKey: ['id'] });

  it('resolves checks to fields, keys them and defaults the sample to 10 rows', () => {
    const sut = planScan({ container: 'orders', checks: [{ type: 'not_negative', field: 'amount' }] }, orders);
    expect(sut).toEqual({
      checks: [{ key: 'not_negative:amount', check: { type: 'not_negative', field: 'amount' }, field: amount }],
      incremental: null,
      sampleLimit: 10,
      rowKey: [id],
    });
  });

  it.each<[Check, string]>([
    [{ type: 'not_negative', field: 'status' }, 'Not Negative needs a numeric field'],
    [{ type: 'between', field: 'amount', min: 'zero', max: '1' }, "'min' and 'max' must be decimal numbers"],
    [{ type: 'not_future', field: 'amount' }, 'Not Future needs a date or timestamp field'],
    [{ type: 'between_times', field: 'at', min: '', max: '2020-01-01' }, "'min' and 'max'"],
    [{ type: 'expected_values', field: 'doc', values: [] }, 'Expected Values needs a comparable field'],
    [{ type: 'unique', field: 'doc' }, 'Unique needs a comparable field'],
    [{ type: 'matches_pattern', field: 'status', pattern: '' }, "'pattern'"],
    [{ type: 'nonsense', field: 'status' } as unknown as Check, "unknown check type 'nonsense'"],
  ])('rejects %j', (check, message) => {
    const error = failureOf(() => planScan({ container: 'orders', checks: [check] }, orders));
    expect(error.code).toBe(OperationErrorCode.INVALID_ARGUMENT);
    expect(error.message).toContain(message);
  });

  it('answers NOT_FOUND for a field the container does not have', () => {
    const error = failureOf(() => planScan({ container: 'orders', checks: [{ type: 'not_null', field: 'ghost' }] }, orders));
    expect(error).toMatchObject({ code: OperationErrorCode.NOT_FOUND, message: "field 'ghost' does not exist in shop.orders" });
  });

  it('checks the incremental column and the sample limit', () => {
    expect(planScan({ container: 'orders', checks: [], incremental: { column: 'at', after: '2020-01-01' } }, orders).incremental).toEqual({
      field: at,
      after: '2020-01-01',
    });
    expect(failureOf(() => planScan({ container: 'orders', checks: [], incremental: { column: 'doc', after: '' } }, orders)).message).toContain(
      "incremental column 'doc' is json",
    );
    expect(failureOf(() => planScan({ container: 'orders', checks: [], sampleLimit: 1001 }, orders)).code).toBe(
      OperationErrorCode.INVALID_ARGUMENT,
    );
  });
});

describe(rowKeyOf.name, () => {
  const a = aField({ name: 'a', nullable: false });
  const b = aField({ name: 'b', nullable: true });

  it('uses the primary key, else a unique key of non-null fields, else nothing', () => {
    expect(rowKeyOf(aContainer({ name: 't', fields: [a, b], primaryKey: ['b', 'a'] }))).toEqual([b, a]);
    expect(
      rowKeyOf(aContainer({ name: 't', fields: [a, b], uniqueKeys: [{ name: 'ub', fields: ['b'] }, { name: 'ua', fields: ['a'] }] })),
    ).toEqual([a]);
    expect(rowKeyOf(aContainer({ name: 't', fields: [a, b], uniqueKeys: [{ name: 'ub', fields: ['b'] }] }))).toEqual([]);
  });
});
