import { planScan } from '../operations/inputs';
import { PATTERNS, SHAPE_PROBE_ROWS } from '../operations/patterns';
import { narrowShapes, planFields } from '../operations/profile-plan';
import { buildSampleStatement, buildScanCountStatement, buildUniqueCountStatement } from '../operations/scan-sql';
import { aContainer, aField } from '../operations/testing/catalog-factory';
import {
  buildPostgresqlExpectedValuesStatement,
  buildPostgresqlProfileStatement,
  buildPostgresqlShapeProbeStatement,
  postgresqlSource,
  readExpectedValues,
  readPostgresqlProfileRow,
} from './postgresql.profile';
import { POSTGRESQL_SCAN_DIALECT } from './postgresql.scan';
import { assemblePostgresqlCatalog } from './postgresql.sync';
import { normalizePostgresqlType } from './postgresql.types';
import { Params } from '../operations/sql';

const id = aField({ name: 'id', nullable: false, primaryKey: true });
const amount = aField({ name: 'amount', ordinal: 2, type: 'decimal', declaredType: 'numeric(10,2)' });
const at = aField({ name: 'at', ordinal: 3, type: 'date', declaredType: 'date' });
const name = aField({ name: 'name', ordinal: 4, type: 'string', declaredType: 'text' });
const orders = aContainer({ name: 'or"ders', fields: [id, amount, at, name], primaryKey: ['id'] });
const whole = { fraction: null, limit: null, seed: 1 };

describe(buildPostgresqlProfileStatement.name, () => {
  it('is one SELECT over the table with every aggregate aliased by position, never by field name', () => {
    const sut = buildPostgresqlProfileStatement(orders, planFields(orders.fields), whole);
    expect(sut.text).toMatch(/^SELECT count\(\*\) AS row_count,/);
    expect(sut.text).toContain('FROM "shop"."or""ders" AS src');
    expect(sut.text.match(/\bSELECT\b/g)).toHaveLength(1);
    expect(sut.text).toContain('count(DISTINCT src."amount") AS f1_d');
    expect(sut.text).toContain('percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY src."amount"::float8) AS f1_q');
    expect(sut.text).toContain('percentile_disc(ARRAY[0.25, 0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY src."at")::text[] AS f2_q');
    expect(sut.text).toContain('max(src."at") > now() AS f2_future');
    expect(sut.text).toContain('avg(char_length(src."name"::text))::float8 AS f3_meanlen');
    // Shape patterns are parameters, each sent once.
    expect(sut.text).toContain('count(*) FILTER (WHERE src."name"::text ~ $1) AS f3_p_integer');
    expect(sut.values).toHaveLength(7);
  });

  it('counts only the shapes the probe left possible', () => {
    const plans = narrowShapes(planFields(orders.fields), [{ v3: 'a@b.co' }]);
    const sut = buildPostgresqlProfileStatement(orders, plans, whole);
    expect(sut.text).toContain('count(*) FILTER (WHERE src."name"::text ~ $1) AS f3_p_email');
    expect(sut.text).not.toContain('f3_p_integer');
    expect(sut.values).toEqual([PATTERNS.email]);
  });

  it('reads uuid extremes through text and booleans through bool_and / bool_or', () => {
    const fields = [aField({ name: 'u', type: 'uuid' }), aField({ name: 'b', type: 'boolean' }), aField({ name: 'j', type: 'json' })];
    const sut = buildPostgresqlProfileStatement(aContainer({ name: 't', fields }), planFields(fields), whole);
    expect(sut.text).toContain('min(src."u"::text)::text AS f0_min');
    expect(sut.text).toContain('bool_and(src."b")::text AS f1_min');
    expect(sut.text).toContain('count(DISTINCT src."j"::text) AS f2_d');
    expect(sut.text).not.toContain('f2_min');
  });
});

describe(buildPostgresqlShapeProbeStatement.name, () => {
  it('reads the first rows of the text fields from the same source as the aggregate pass', () => {
    const sut = buildPostgresqlShapeProbeStatement(orders, planFields(orders.fields), { fraction: 0.5, limit: null, seed: 3 });
    expect(sut?.text).toBe(
      'SELECT src."name"::text AS v3 FROM (SELECT * FROM "shop"."or""ders" TABLESAMPLE BERNOULLI ($1) REPEATABLE ($2)) AS src LIMIT $3',
    );
    expect(sut?.values).toEqual([50, 3, SHAPE_PROBE_ROWS]);
  });

  it('is not run without text fields, nor over a random() sample of a view', () => {
    expect(buildPostgresqlShapeProbeStatement(orders, planFields([id, amount]), whole)).toBeUndefined();
    expect(buildPostgresqlShapeProbeStatement({ ...orders, kind: 'view' }, planFields(orders.fields), { ...whole, fraction: 0.5 })).toBeUndefined();
    expect(buildPostgresqlShapeProbeStatement({ ...orders, kind: 'view' }, planFields(orders.fields), whole)).toBeDefined();
  });
});

describe(postgresqlSource.name, () => {
  it('samples tables with TABLESAMPLE BERNOULLI REPEATABLE and views with random()', () => {
    const params = new Params('postgresql');
    expect(postgresqlSource(orders, { fraction: 0.25, limit: 10, seed: 7 }, params)).toBe(
      '(SELECT * FROM "shop"."or""ders" TABLESAMPLE BERNOULLI ($1) REPEATABLE ($2) LIMIT $3) AS src',
    );
    expect(params.values).toEqual([25, 7, 10]);
    const view = new Params('postgresql');
    expect(postgresqlSource({ ...orders, kind: 'view' }, { fraction: 0.25, limit: null, seed: 7 }, view)).toBe(
      '(SELECT * FROM "shop"."or""ders" WHERE random() < $1) AS src',
    );
    expect(view.values).toEqual([0.25]);
  });
});

describe(readPostgresqlProfileRow.name, () => {
  it('turns the aggregate row into raw figures per field', () => {
    const plans = planFields([amount]).map((p) => ({ ...p, index: 0 }));
    const { rowCount, raw } = readPostgresqlProfileRow(
      { row_count: '4', f0_n: '3', f0_d: '3', f0_min: '1.00', f0_max: '4.00', f0_sum: '7.00', f0_mean: 2.3, f0_sd: 1.5, f0_s1: 7, f0_s2: 21, f0_s3: 73, f0_s4: 273, f0_q: [1.5, 2, 3] },
      plans,
    );
    expect(rowCount).toBe(4);
    expect(raw[0]).toMatchObject({ nonNull: 3, distinct: 3, min: '1.00', sum: '7.00', quartiles: ['1.5', '2', '3'], powerSums: { n: 3, s4: 273 } });
  });
});

describe(buildPostgresqlExpectedValuesStatement.name, () => {
  it('reads the values of several fields in one GROUPING SETS pass', () => {
    const plans = planFields([id, name]);
    const sut = buildPostgresqlExpectedValuesStatement(orders, plans, whole);
    expect(sut.text).toContain('GROUP BY GROUPING SETS ((src."id"), (src."name"))');
    expect(readExpectedValues(
      [
        { v0: '1', g0: 0, v1: null, g1: 1 },
        { v0: '2', g0: 0, v1: null, g1: 1 },
        { v0: null, g0: 0, v1: null, g1: 1 },
        { v0: null, g0: 1, v1: 'a', g1: 0 },
      ],
      plans,
    )).toEqual(new Map([['id', ['1', '2']], ['name', ['a']]]));
  });
});

describe('PostgreSQL scan statements', () => {
  const plan = planScan(
    {
      container: 'orders',
      checks: [
        { type: 'between', field: 'amount', min: '0', max: '5' },
        { type: 'unique', field: 'name' },
        { type: 'any_not_null', field: 'at' },
        { type: 'expected_values', field: 'name', values: ['a', 'b'] },
      ],
      incremental: { column: 'id', after: '7' },
    },
    orders,
  );
  const [between, unique] = plan.checks;

  it('counts all row checks in one pass, with the high-water mark', () => {
    expect(buildScanCountStatement(POSTGRESQL_SCAN_DIALECT, orders, plan)).toEqual({
      text: `SELECT COUNT(*) AS scanned,
       (MAX(src."id"))::text AS high_water_mark,
       count(*) FILTER (WHERE src."amount" < $1::numeric OR src."amount" > $2::numeric) AS c0,
       COUNT(src."at") AS c2,
       count(*) FILTER (WHERE src."name" IS NOT NULL AND NOT (src."name" = ANY($3))) AS c3
  FROM "shop"."or""ders" AS src WHERE (src."id" > $4)`,
      values: ['0', '5', ['a', 'b'], '7'],
    });
  });

  it('counts Unique violations by joining the duplicated values of the whole table', () => {
    expect(unique && buildUniqueCountStatement(POSTGRESQL_SCAN_DIALECT, orders, plan, unique).text).toBe(
      `SELECT COUNT(*) AS violations
  FROM "shop"."or""ders" AS src JOIN (SELECT "name" AS v FROM "shop"."or""ders" WHERE "name" IS NOT NULL GROUP BY "name" HAVING COUNT(*) > 1) AS dup ON src."name" = dup.v WHERE (src."id" > $1)`,
    );
  });

  it('samples violating rows by key with a parameterized limit', () => {
    expect(between && buildSampleStatement(POSTGRESQL_SCAN_DIALECT, orders, plan, between)).toEqual({
      text: `SELECT (src."id")::text AS k0, (src."amount")::text AS value
  FROM "shop"."or""ders" AS src WHERE (src."amount" < $1::numeric OR src."amount" > $2::numeric) AND (src."id" > $3)
 ORDER BY src."id"
 LIMIT $4`,
      values: ['0', '5', '7', 10],
    });
  });

  it('compares float bounds as float8 and leaves time bounds to the column type', () => {
    const ratio = aField({ name: 'ratio', type: 'float' });
    const container = aContainer({ name: 't', fields: [ratio, at] });
    const p = planScan(
      { container: 't', checks: [{ type: 'between', field: 'ratio', min: '-1', max: '1' }, { type: 'between_times', field: 'at', min: '2020-01-01', max: '2021-01-01' }, { type: 'not_future', field: 'at' }, { type: 'matches_pattern', field: 'at', pattern: '^2' }] },
      container,
    );
    const text = buildScanCountStatement(POSTGRESQL_SCAN_DIALECT, container, p).text;
    expect(text).toContain('src."ratio" < $1::float8 OR src."ratio" > $2::float8');
    expect(text).toContain('src."at" < $3 OR src."at" > $4');
    expect(text).toContain('src."at" > now()');
    expect(text).toContain('NOT (src."at"::text ~ $5)');
  });
});

describe(normalizePostgresqlType.name, () => {
  it.each([
    ['int8', 'b', 'integer'],
    ['numeric', 'b', 'decimal'],
    ['float4', 'b', 'float'],
    ['bpchar', 'b', 'string'],
    ['citext', 'b', 'string'],
    ['mood', 'e', 'string'],
    ['timestamptz', 'b', 'timestamp'],
    ['timetz', 'b', 'time'],
    ['jsonb', 'b', 'json'],
    ['bytea', 'b', 'binary'],
    ['uuid', 'b', 'uuid'],
    ['_int4', 'b', 'other'],
    ['interval', 'b', 'other'],
  ])('%s (%s) is %s', (typname, typtype, expected) => {
    expect(normalizePostgresqlType(typname, typtype)).toBe(expected);
  });
});

describe(assemblePostgresqlCatalog.name, () => {
  it('attaches keys to fields and keeps relations without columns', () => {
    const column = (container: string, field: string | null, ordinal: number | null, base = 'int4') => ({
      container,
      relkind: 'r',
      field,
      ordinal,
      declared_type: field ? 'integer' : null,
      base_type: field ? base : null,
      base_typtype: field ? 'b' : null,
      nullable: field ? false : null,
    });
    const sut = assemblePostgresqlCatalog(
      'shop',
      [column('a', 'id', 1), column('a', 'b_id', 2), column('empty', null, null)],
      [{ container: 'a', name: 'a_pkey', is_primary: true, fields: ['id'] }],
      [{ container: 'a', name: 'a_b_fk', fields: ['b_id'], ref_schema: 'other', ref_container: 'b', ref_fields: ['id'] }],
    );
    expect(sut.map((c) => [c.id, c.fields.length])).toEqual([
      ['shop.a', 2],
      ['shop.empty', 0],
    ]);
    expect(sut[0]?.fields.map((f) => [f.name, f.primaryKey, f.foreignKey])).toEqual([
      ['id', true, false],
      ['b_id', false, true],
    ]);
    expect(sut[0]?.foreignKeys[0]?.references).toEqual({ container: 'other.b', fields: ['id'] });
  });
});
