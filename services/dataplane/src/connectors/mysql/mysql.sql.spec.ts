import { planScan } from '../operations/inputs';
import { SHAPE_PROBE_ROWS } from '../operations/patterns';
import { planFields } from '../operations/profile-plan';
import { buildSampleStatement, buildScanCountStatement } from '../operations/scan-sql';
import { Params } from '../operations/sql';
import { aContainer, aField } from '../operations/testing/catalog-factory';
import {
  buildMysqlExpectedValuesStatement,
  buildMysqlProfileStatement,
  buildMysqlQuartileStatement,
  buildMysqlShapeProbeStatement,
  mysqlSource,
  quartileRanks,
  quartilesFromRanks,
  readMysqlProfileRow,
} from './mysql.profile';
import { MYSQL_SCAN_DIALECT } from './mysql.scan';
import { describeMysqlServer } from './mysql.session';
import { assembleMysqlCatalog } from './mysql.sync';
import { normalizeMysqlType } from './mysql.types';

const id = aField({ name: 'id', nullable: false, primaryKey: true, declaredType: 'int(11)' });
const amount = aField({ name: 'amount', ordinal: 2, type: 'decimal', declaredType: 'decimal(10,2)' });
const at = aField({ name: 'at', ordinal: 3, type: 'date', declaredType: 'date' });
const name = aField({ name: 'na`me', ordinal: 4, type: 'string', declaredType: 'varchar(20)' });
const orders = aContainer({ name: 'orders', schema: 'shop', fields: [id, amount, at, name], primaryKey: ['id'] });
const sampled = { fraction: 0.5, limit: 100, seed: 42 };
const whole = { fraction: null, limit: null, seed: 42 };

describe(buildMysqlShapeProbeStatement.name, () => {
  it('reads the first rows of the text fields from the same RAND(seed) sample as the aggregate pass', () => {
    const sut = buildMysqlShapeProbeStatement(orders, planFields(orders.fields), sampled);
    expect(sut?.text).toBe('SELECT src.`na``me` AS v3 FROM (SELECT * FROM `shop`.`orders` WHERE RAND(?) < ? LIMIT ?) AS src LIMIT ?');
    expect(sut?.values).toEqual([42, 0.5, 100, SHAPE_PROBE_ROWS]);
    expect(buildMysqlShapeProbeStatement(orders, planFields([id, amount]), whole)).toBeUndefined();
  });
});

describe(buildMysqlProfileStatement.name, () => {
  it('window strategy: one statement; percentiles as window columns of a derived table, aggregated with MAX', () => {
    const sut = buildMysqlProfileStatement(orders, planFields(orders.fields), sampled, 'window');
    expect(sut.text).toContain('PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY src.`amount` + 0E0) OVER () AS `__plumbline_q1_1`');
    expect(sut.text).toContain('PERCENTILE_DISC(0.75) WITHIN GROUP (ORDER BY src.`at`) OVER () AS `__plumbline_q2_2`');
    expect(sut.text).toContain('CAST(MAX(src.`__plumbline_q1_1`) AS CHAR) AS f1_q1');
    expect(sut.text).toContain('FROM (SELECT * FROM `shop`.`orders` WHERE RAND(?) < ? LIMIT ?) AS src) AS src');
    expect(sut.text).toContain('COUNT(CASE WHEN src.`na``me` REGEXP ? THEN 1 END) AS f3_p_email');
    expect(sut.text).toContain('AVG((src.`amount` + 0E0)) AS f1_mean');
    // `?` is positional: the select list's patterns first, then the source's sampling values.
    expect(sut.values.slice(-3)).toEqual([42, 0.5, 100]);
    expect(sut.values).toHaveLength(7 + 3);
  });

  it('offset strategy: no window functions in the aggregate pass', () => {
    const sut = buildMysqlProfileStatement(orders, planFields(orders.fields), whole, 'offset');
    expect(sut.text).not.toContain('PERCENTILE');
    expect(sut.text).toContain('FROM `shop`.`orders` AS src');
  });

  it('maps boolean extremes to false / true', () => {
    const flag = aField({ name: 'flag', type: 'boolean', declaredType: 'tinyint(1)' });
    const sut = buildMysqlProfileStatement(aContainer({ name: 't', fields: [flag] }), planFields([flag]), whole, 'window');
    expect(sut.text).toContain("CASE WHEN MIN(src.`flag`) IS NULL THEN NULL WHEN MIN(src.`flag`) <> 0 THEN 'true' ELSE 'false' END AS f0_min");
  });
});

describe(mysqlSource.name, () => {
  it('is the table itself, or a RAND(seed) sample and / or a limit', () => {
    expect(mysqlSource(orders, whole, new Params('mysql'))).toBe('`shop`.`orders` AS src');
    const params = new Params('mysql');
    expect(mysqlSource(orders, { fraction: null, limit: 5, seed: 1 }, params)).toBe('(SELECT * FROM `shop`.`orders` LIMIT ?) AS src');
    expect(params.values).toEqual([5]);
  });
});

describe(readMysqlProfileRow.name, () => {
  it('drops the moments when a value is too large for x⁴', () => {
    const plans = planFields([amount]).map((p) => ({ ...p, index: 0 }));
    const { raw } = readMysqlProfileRow({ row_count: '3', f0_n: '3', f0_s1: 1, f0_s2: 1, f0_s3: 1, f0_s4: 1, f0_huge: '1', f0_q0: '1.2500000000' }, plans, 'window');
    expect(raw[0]?.powerSums).toBeNull();
    expect(raw[0]?.quartiles?.[0]).toBe('1.25');
  });
});

describe('offset quartiles', () => {
  const [numeric, temporal] = planFields([amount, at]);
  if (!numeric || !temporal) throw new Error('plans');

  it('asks for the neighbours of each continuous position, and the discrete offsets of dates', () => {
    expect(quartileRanks(numeric, 4)).toEqual([0, 1, 2, 3]);
    expect(quartileRanks(numeric, 5)).toEqual([1, 2, 3]);
    expect(quartileRanks(temporal, 4)).toEqual([0, 1, 2]);
    expect(quartileRanks(temporal, 0)).toEqual([]);
  });

  it('interpolates numbers like PERCENTILE_CONT and picks dates like PERCENTILE_DISC', () => {
    const sorted = ['10', '20', '40', '80'];
    expect(quartilesFromRanks(numeric, 4, (rank) => sorted[rank] ?? null)).toEqual(['17.5', '30', '50']);
    const dates = ['2020-01-01', '2020-06-01', '2021-01-01', '2022-01-01'];
    expect(quartilesFromRanks(temporal, 4, (rank) => dates[rank] ?? null)).toEqual(['2020-01-01', '2020-06-01', '2021-01-01']);
  });

  it('reads every rank in one UNION ALL statement with placeholders in text order', () => {
    const sut = buildMysqlQuartileStatement(orders, [{ plan: numeric, ranks: [0, 1] }], sampled);
    expect(sut?.text.split('UNION ALL')).toHaveLength(2);
    expect(sut?.text).toContain('ORDER BY src.`amount` LIMIT 1 OFFSET ?');
    expect(sut?.values).toEqual([0, 42, 0.5, 100, 0, 1, 42, 0.5, 100, 1]);
    expect(buildMysqlQuartileStatement(orders, [], sampled)).toBeUndefined();
  });
});

describe(buildMysqlExpectedValuesStatement.name, () => {
  it('groups each field in its own branch, ordered by the field type', () => {
    const sut = buildMysqlExpectedValuesStatement(orders, planFields([id, amount]), whole);
    expect(sut.text).toContain('SELECT 1 AS f, CAST(src.`amount` AS CHAR) AS v, ROW_NUMBER() OVER (ORDER BY src.`amount`) AS r');
    expect(sut.text).toMatch(/ORDER BY f, r$/);
  });
});

describe('MySQL scan statements', () => {
  const ratio = aField({ name: 'ratio', type: 'float', declaredType: 'double' });
  const container = aContainer({ name: 'orders', schema: 'shop', fields: [id, amount, ratio, name], primaryKey: ['id'] });
  const plan = planScan(
    {
      container: 'orders',
      checks: [
        { type: 'between', field: 'amount', min: '0', max: '5' },
        { type: 'between', field: 'ratio', min: '-1', max: '1' },
        { type: 'expected_values', field: 'na`me', values: ['a', 'b'] },
        { type: 'expected_values', field: 'na`me', values: [] },
      ],
      sampleLimit: 3,
    },
    container,
  );

  it('counts with COUNT(CASE WHEN ...), casting bounds for exact and floating columns', () => {
    expect(buildScanCountStatement(MYSQL_SCAN_DIALECT, container, plan)).toEqual({
      text: `SELECT COUNT(*) AS scanned,
       COUNT(CASE WHEN src.\`amount\` < CAST(? AS DECIMAL(65, 30)) OR src.\`amount\` > CAST(? AS DECIMAL(65, 30)) THEN 1 END) AS c0,
       COUNT(CASE WHEN src.\`ratio\` < (? + 0E0) OR src.\`ratio\` > (? + 0E0) THEN 1 END) AS c1,
       COUNT(CASE WHEN src.\`na\`\`me\` IS NOT NULL AND src.\`na\`\`me\` NOT IN (?, ?) THEN 1 END) AS c2,
       COUNT(CASE WHEN src.\`na\`\`me\` IS NOT NULL THEN 1 END) AS c3
  FROM \`shop\`.\`orders\` AS src`,
      values: ['0', '5', '-1', '1', 'a', 'b'],
    });
  });

  it('samples with the key as text and the limit last', () => {
    const [first] = plan.checks;
    expect(first && buildSampleStatement(MYSQL_SCAN_DIALECT, container, plan, first)).toEqual({
      text: `SELECT CAST(src.\`id\` AS CHAR) AS k0, CAST(src.\`amount\` AS CHAR) AS value
  FROM \`shop\`.\`orders\` AS src WHERE (src.\`amount\` < CAST(? AS DECIMAL(65, 30)) OR src.\`amount\` > CAST(? AS DECIMAL(65, 30)))
 ORDER BY src.\`id\`
 LIMIT ?`,
      values: ['0', '5', 3],
    });
  });
});

describe(normalizeMysqlType.name, () => {
  it.each([
    ['tinyint', 'tinyint(1)', false, 'boolean'],
    ['tinyint', 'tinyint(4)', false, 'integer'],
    ['bigint', 'bigint(20) unsigned', false, 'integer'],
    ['decimal', 'decimal(10,2)', false, 'decimal'],
    ['double', 'double', false, 'float'],
    ['enum', "enum('a','b')", false, 'string'],
    ['datetime', 'datetime(3)', false, 'timestamp'],
    ['timestamp', 'timestamp', false, 'timestamp'],
    ['json', 'json', false, 'json'],
    ['longtext', 'longtext', true, 'json'],
    ['longtext', 'longtext', false, 'string'],
    ['varbinary', 'varbinary(16)', false, 'binary'],
    ['uuid', 'uuid', false, 'uuid'],
    ['geometry', 'geometry', false, 'other'],
  ])('%s / %s (json check %s) is %s', (dataType, columnType, isJson, expected) => {
    expect(normalizeMysqlType(dataType, columnType, isJson)).toBe(expected);
  });
});

describe(describeMysqlServer.name, () => {
  it('knows which servers have percentile window functions', () => {
    expect(describeMysqlServer('10.11.19-MariaDB-0+deb12u1')).toMatchObject({ mariadb: true, percentileWindow: true });
    expect(describeMysqlServer('5.5.5-10.2.44-MariaDB')).toMatchObject({ mariadb: true, percentileWindow: false });
    expect(describeMysqlServer('8.0.36')).toMatchObject({ mariadb: false, percentileWindow: false });
  });
});

describe(assembleMysqlCatalog.name, () => {
  it('finds MariaDB JSON columns by their json_valid check and skips prefix unique indexes', () => {
    const column = (field: string, ordinal: number, dataType: string) => ({
      container: 't',
      table_type: 'BASE TABLE',
      field,
      ordinal,
      column_type: dataType,
      data_type: dataType,
      is_nullable: 'YES',
    });
    const sut = assembleMysqlCatalog(
      'db',
      [column('id', 1, 'int'), column('doc', 2, 'longtext'), column('txt', 3, 'text')],
      [
        { container: 't', name: 'PRIMARY', field: 'id', sub_part: null },
        { container: 't', name: 'uq_txt', field: 'txt', sub_part: 10 },
      ],
      [],
      [{ container: 't', clause: 'json_valid(`doc`)' }],
    );
    expect(sut[0]?.fields.map((f) => [f.name, f.type, f.primaryKey, f.unique])).toEqual([
      ['id', 'integer', true, false],
      ['doc', 'json', false, false],
      ['txt', 'string', false, false],
    ]);
    expect(sut[0]?.uniqueKeys).toEqual([]);
  });
});
