import { expectedValuesCandidates, inferChecks } from '../operations/infer-checks';
import { readProfileInput } from '../operations/inputs';
import { PATTERNS, SHAPE_PROBE_ROWS } from '../operations/patterns';
import {
  assembleFieldProfile,
  narrowShapes,
  numberText,
  planFields,
  profileResult,
  type FieldPlan,
  type RawAggregates,
} from '../operations/profile-plan';
import { Params, type Statement } from '../operations/sql';
import { continuousPosition, discreteOffset, interpolate, powerSumsFrom, QUARTILES } from '../operations/statistics';
import { toCount, toNumber, toText } from '../operations/values';
import { type CatalogContainer, type PatternShape, type ProfileInput, type ProfileResult } from '../operations/types';
import { quoteMysqlIdentifier as quote } from './mysql.protocol';
import { type MysqlSession } from './mysql.session';
import { describeMysqlContainer } from './mysql.sync';

export function qualifiedMysqlName(container: Pick<CatalogContainer, 'schema' | 'name'>): string {
  return `${quote(container.schema)}.${quote(container.name)}`;
}

export interface MysqlSampling {
  readonly fraction: number | null;
  readonly limit: number | null;
  /** RAND(seed) restarts the same sequence in every statement of one profile. */
  readonly seed: number;
}

/**
 * How quartiles are computed:
 * - `window` (MariaDB ≥ 10.3.3): PERCENTILE_CONT / PERCENTILE_DISC are window
 *   functions only, so the aggregate pass reads a derived table that adds
 *   `… OVER ()` columns, and aggregates them with MAX: still one statement
 *   and one read of the table. MariaDB returns PERCENTILE_CONT as DECIMAL
 *   with 10 decimal places.
 * - `offset` (MySQL, older MariaDB): no percentile functions; after the
 *   aggregate pass one more statement reads, per field, the values at the
 *   needed ranks with `ORDER BY x LIMIT 1 OFFSET k` and interpolates in Node
 *   (exact; one sort per rank inside the database).
 */
export type QuantileStrategy = 'window' | 'offset';

/** FROM item aliased `src`: the table, or a `RAND(seed) < f` sample and/or the first rows up to the limit. */
export function mysqlSource(container: CatalogContainer, sampling: MysqlSampling, params: Params): string {
  const table = qualifiedMysqlName(container);
  if (sampling.fraction === null && sampling.limit === null) return `${table} AS src`;
  const where = sampling.fraction === null ? '' : ` WHERE RAND(${params.add(sampling.seed)}) < ${params.add(sampling.fraction)}`;
  const limit = sampling.limit === null ? '' : ` LIMIT ${params.add(sampling.limit)}`;
  return `(SELECT * FROM ${table}${where}${limit}) AS src`;
}

const needsQuartiles = (plan: FieldPlan) => plan.numeric || plan.temporal;
/** Magnitude above which x⁴ overflows a DOUBLE (MariaDB raises an error). */
const POWER_LIMIT = '1e75';
const quartileAlias = (plan: FieldPlan, k: number) => quote(`__plumbline_q${k}_${plan.index}`);

function fieldAggregates(plan: FieldPlan, params: Params, strategy: QuantileStrategy): string[] {
  const q = `src.${quote(plan.field.name)}`;
  const a = (expression: string, stat: string) => `${expression} AS f${plan.index}_${stat}`;
  const out = [a(`COUNT(${q})`, 'n')];
  out.push(a(plan.distinct === 'text' ? `COUNT(DISTINCT CAST(${q} AS CHAR))` : `COUNT(DISTINCT ${q})`, 'd'));
  if (plan.extremes === 'boolean') {
    const bool = (agg: string) => `CASE WHEN ${agg}(${q}) IS NULL THEN NULL WHEN ${agg}(${q}) <> 0 THEN 'true' ELSE 'false' END`;
    out.push(a(bool('MIN'), 'min'), a(bool('MAX'), 'max'));
  } else if (plan.extremes === 'value') {
    out.push(a(`CAST(MIN(${q}) AS CHAR)`, 'min'), a(`CAST(MAX(${q}) AS CHAR)`, 'max'));
  }
  if (plan.numeric) {
    // `+ 0E0` makes a DOUBLE (AVG of integers would be a DECIMAL rounded to 4 places).
    const x = `(${q} + 0E0)`;
    const guarded = (power: string) => `CASE WHEN ABS(${x}) < ${POWER_LIMIT} THEN ${power} END`;
    out.push(
      a(`CAST(SUM(${q}) AS CHAR)`, 'sum'),
      a(`AVG(${x})`, 'mean'),
      a(`STDDEV_SAMP(${x})`, 'sd'),
      a(`SUM(${guarded(`${x} * ${x} * ${x}`)})`, 's3'),
      a(`SUM(${guarded(`(${x} * ${x}) * (${x} * ${x})`)})`, 's4'),
      a(`COUNT(CASE WHEN ABS(${x}) >= ${POWER_LIMIT} THEN 1 END)`, 'huge'),
    );
  }
  if (plan.temporal) {
    // A DATE compares as its midnight: a date is future from tomorrow on.
    out.push(a(`MAX(${q}) > NOW()`, 'future'));
  }
  if (strategy === 'window' && needsQuartiles(plan)) {
    QUARTILES.forEach((_, k) => out.push(a(`CAST(MAX(src.${quartileAlias(plan, k)}) AS CHAR)`, `q${k}`)));
  }
  if (plan.text) {
    out.push(
      a(`MIN(CHAR_LENGTH(${q}))`, 'minlen'),
      a(`MAX(CHAR_LENGTH(${q}))`, 'maxlen'),
      a(`AVG(CHAR_LENGTH(${q}) + 0E0)`, 'meanlen'),
      ...plan.shapes.map((shape) => a(`COUNT(CASE WHEN ${q} REGEXP ${params.add(PATTERNS[shape])} THEN 1 END)`, `p_${shape}`)),
    );
  }
  return out;
}

/** The first rows of `src`, text fields only, as `v{index}`: what narrows the shapes to count (RAND(seed) repeats). */
export function buildMysqlShapeProbeStatement(container: CatalogContainer, plans: readonly FieldPlan[], sampling: MysqlSampling): Statement | undefined {
  const text = plans.filter((plan) => plan.text);
  if (text.length === 0) return undefined;
  const params = new Params('mysql');
  const source = mysqlSource(container, sampling, params);
  const select = text.map((plan) => `src.${quote(plan.field.name)} AS v${plan.index}`);
  return { text: `SELECT ${select.join(', ')} FROM ${source} LIMIT ${params.add(SHAPE_PROBE_ROWS)}`, values: params.values };
}

/** The single aggregate pass (see QuantileStrategy for how quartiles join it). */
export function buildMysqlProfileStatement(
  container: CatalogContainer,
  plans: readonly FieldPlan[],
  sampling: MysqlSampling,
  strategy: QuantileStrategy,
): Statement {
  const params = new Params('mysql');
  const source = mysqlSource(container, sampling, params);
  const windows =
    strategy === 'window'
      ? plans.filter(needsQuartiles).flatMap((plan) => {
          const q = `src.${quote(plan.field.name)}`;
          return QUARTILES.map((p, k) =>
            plan.numeric
              ? `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${q} + 0E0) OVER () AS ${quartileAlias(plan, k)}`
              : `PERCENTILE_DISC(${p}) WITHIN GROUP (ORDER BY ${q}) OVER () AS ${quartileAlias(plan, k)}`,
          );
        })
      : [];
  const from = windows.length > 0 ? `(SELECT src.*, ${windows.join(', ')} FROM ${source}) AS src` : source;
  // The source's parameters come first in the text only when it is not wrapped after the select list.
  const selectParams = new Params('mysql');
  const select = ['COUNT(*) AS row_count', ...plans.flatMap((plan) => fieldAggregates(plan, selectParams, strategy))];
  return {
    text: `SELECT ${select.join(',\n       ')}\n  FROM ${from}`,
    values: [...selectParams.values, ...params.values],
  };
}

type Row = Record<string, unknown>;

export function readMysqlProfileRow(row: Row, plans: readonly FieldPlan[], strategy: QuantileStrategy): { rowCount: number; raw: RawAggregates[] } {
  const raw = plans.map((plan): RawAggregates => {
    const get = (stat: string) => row[`f${plan.index}_${stat}`];
    const nonNull = toCount(get('n'));
    let quartiles: RawAggregates['quartiles'] = null;
    if (strategy === 'window' && needsQuartiles(plan)) {
      const read = (k: number) => (plan.numeric ? numberText(toNumber(get(`q${k}`))) : toText(get(`q${k}`)));
      quartiles = [read(0), read(1), read(2)];
    }
    const huge = toCount(get('huge')) > 0;
    const mean = toNumber(get('mean'));
    const stddev = toNumber(get('sd'));
    return {
      nonNull,
      distinct: toCount(get('d')),
      min: toText(get('min')),
      max: toText(get('max')),
      sum: toText(get('sum')),
      mean,
      stddev,
      powerSums: plan.numeric && !huge ? powerSumsFrom(nonNull, mean, stddev, toNumber(get('s3')), toNumber(get('s4'))) : null,
      quartiles,
      minLength: toNumber(get('minlen')),
      maxLength: toNumber(get('maxlen')),
      meanLength: toNumber(get('meanlen')),
      hasFuture: plan.temporal ? toCount(get('future')) === 1 : null,
      patternCounts: plan.text
        ? (Object.fromEntries(plan.shapes.map((shape) => [shape, toCount(get(`p_${shape}`))])) as Partial<Record<PatternShape, number>>)
        : null,
    };
  });
  return { rowCount: toCount(row['row_count']), raw };
}

/** Ranks (0-based offsets among the sorted non-null values) each field's quartiles need. */
export function quartileRanks(plan: FieldPlan, nonNull: number): number[] {
  if (nonNull === 0) return [];
  const ranks = plan.numeric
    ? QUARTILES.flatMap((p) => {
        const { lo, hi } = continuousPosition(nonNull, p);
        return [lo, hi];
      })
    : QUARTILES.map((p) => discreteOffset(nonNull, p));
  return [...new Set(ranks)].sort((a, b) => a - b);
}

/**
 * `offset` strategy: one statement with a UNION ALL branch per (field, rank),
 * each `ORDER BY x LIMIT 1 OFFSET rank` over the same source.
 */
export function buildMysqlQuartileStatement(
  container: CatalogContainer,
  wanted: readonly { plan: FieldPlan; ranks: readonly number[] }[],
  sampling: MysqlSampling,
): Statement | undefined {
  const params = new Params('mysql');
  const branches = wanted.flatMap(({ plan, ranks }) =>
    ranks.map((rank) => {
      const q = `src.${quote(plan.field.name)}`;
      const value = plan.numeric ? `${q} + 0E0` : q;
      // Placeholders are positional: add them in the order they appear in the text.
      const r = params.add(rank);
      const source = mysqlSource(container, sampling, params);
      const offset = params.add(rank);
      return `SELECT ${plan.index} AS f, ${r} AS r, CAST(v AS CHAR) AS v FROM (SELECT ${value} AS v FROM ${source} WHERE ${q} IS NOT NULL ORDER BY ${q} LIMIT 1 OFFSET ${offset}) AS x`;
    }),
  );
  return branches.length > 0 ? { text: branches.join('\nUNION ALL\n'), values: params.values } : undefined;
}

export function quartilesFromRanks(
  plan: FieldPlan,
  nonNull: number,
  valueAt: (rank: number) => string | null,
): RawAggregates['quartiles'] {
  const read = (p: number): string | null => {
    if (plan.numeric) {
      const { lo, hi, weight } = continuousPosition(nonNull, p);
      const low = toNumber(valueAt(lo));
      const high = toNumber(valueAt(hi));
      return low === null || high === null ? null : numberText(interpolate(low, high, weight));
    }
    return valueAt(discreteOffset(nonNull, p));
  };
  return [read(0.25), read(0.5), read(0.75)];
}

/**
 * Distinct values of low-cardinality fields: one statement, a UNION ALL
 * branch per field grouping by it (MySQL has no GROUPING SETS), ordered by
 * the field's own type.
 */
export function buildMysqlExpectedValuesStatement(
  container: CatalogContainer,
  plans: readonly FieldPlan[],
  sampling: MysqlSampling,
): Statement {
  const params = new Params('mysql');
  const branches = plans.map((plan) => {
    const q = `src.${quote(plan.field.name)}`;
    const source = mysqlSource(container, sampling, params);
    return `SELECT ${plan.index} AS f, CAST(${q} AS CHAR) AS v, ROW_NUMBER() OVER (ORDER BY ${q}) AS r FROM ${source} WHERE ${q} IS NOT NULL GROUP BY ${q}`;
  });
  return { text: `SELECT f, v FROM (\n${branches.join('\nUNION ALL\n')}\n) AS x ORDER BY f, r`, values: params.values };
}

export interface MysqlProfileOptions {
  /** Defaults to what the server supports; tests force `offset` to cover MySQL's path on MariaDB. */
  readonly quantiles?: QuantileStrategy;
}

export async function profileMysql(session: MysqlSession, input: ProfileInput, options: MysqlProfileOptions = {}): Promise<ProfileResult> {
  const settings = readProfileInput(input);
  const { run } = session;
  const strategy = options.quantiles ?? (session.server.percentileWindow ? 'window' : 'offset');
  run.report('catalog', 0, 4, `looking up '${settings.container}'`);
  const container = await describeMysqlContainer(session, settings.container);
  let plans = planFields(container.fields);
  const sampling: MysqlSampling = {
    fraction: settings.sampleFraction,
    limit: settings.recordLimit,
    seed: Math.floor(Math.random() * 2 ** 31),
  };
  let statements = 0;

  const probe = buildMysqlShapeProbeStatement(container, plans, sampling);
  if (probe) {
    plans = narrowShapes(plans, await session.query(probe.text, probe.values));
    statements += 1;
  }
  run.report('aggregate', 1, 4, `profiling ${container.id} in one aggregate pass`);
  const statement = buildMysqlProfileStatement(container, plans, sampling, strategy);
  const [row = {}] = await session.query(statement.text, statement.values);
  const { rowCount, raw } = readMysqlProfileRow(row, plans, strategy);
  statements += 1;

  if (strategy === 'offset') {
    const wanted = plans
      .filter(needsQuartiles)
      .map((plan) => ({ plan, ranks: quartileRanks(plan, raw[plan.index]?.nonNull ?? 0) }))
      .filter((w) => w.ranks.length > 0);
    const quartiles = buildMysqlQuartileStatement(container, wanted, sampling);
    if (quartiles) {
      run.report('quartiles', 2, 4, `reading quartiles of ${wanted.length} fields`);
      const values = new Map<string, string | null>();
      for (const r of await session.query(quartiles.text, quartiles.values)) {
        values.set(`${toCount(r['f'])}:${toCount(r['r'])}`, toText(r['v']));
      }
      statements += 1;
      for (const { plan } of wanted) {
        const current = raw[plan.index];
        if (!current) continue;
        raw[plan.index] = {
          ...current,
          quartiles: quartilesFromRanks(plan, current.nonNull, (rank) => values.get(`${plan.index}:${rank}`) ?? null),
        };
      }
    }
  }
  const fields = plans.map((plan, i) => assembleFieldProfile(plan, rowCount, raw[i] as RawAggregates));

  const candidates = new Set(expectedValuesCandidates(fields, settings.inferenceLevel));
  const expected = new Map<string, string[]>();
  if (candidates.size > 0) {
    run.report('expected_values', 3, 4, `reading the values of ${candidates.size} low-cardinality fields`);
    const chosen = plans.filter((plan) => candidates.has(plan.field.name));
    const values = buildMysqlExpectedValuesStatement(container, chosen, sampling);
    for (const plan of chosen) expected.set(plan.field.name, []);
    for (const r of await session.query(values.text, values.values)) {
      const plan = plans[toCount(r['f'])];
      const value = toText(r['v']);
      if (plan && value !== null) expected.get(plan.field.name)?.push(value);
    }
    statements += 1;
  }
  const checks = inferChecks(fields, settings.inferenceLevel, expected);
  run.report('done', 4, 4, `${fields.length} fields profiled, ${checks.length} checks inferred`);
  return profileResult(container, settings, { profiledRows: rowCount, fields, checks, statements });
}
