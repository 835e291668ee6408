import { escapeIdentifier } from 'pg';
import { expectedValuesCandidates, inferChecks } from '../operations/infer-checks';
import { type ProfileSettings, readProfileInput } from '../operations/inputs';
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
import { powerSumsFrom } from '../operations/statistics';
import { toCount, toNumber, toText } from '../operations/values';
import { type CatalogContainer, type PatternShape, type ProfileInput, type ProfileResult } from '../operations/types';
import { type PostgresqlSession } from './postgresql.session';
import { describePostgresqlContainer } from './postgresql.sync';

export function qualifiedName(container: Pick<CatalogContainer, 'schema' | 'name'>): string {
  return `${escapeIdentifier(container.schema)}.${escapeIdentifier(container.name)}`;
}

/** How rows are chosen; `seed` makes a sample repeatable across the statements of one profile. */
export interface Sampling {
  readonly fraction: number | null;
  readonly limit: number | null;
  readonly seed: number;
}

/** Tables and materialized views take a row sample that the same seed repeats; views cannot. */
const samplesRepeatably = (container: CatalogContainer) => container.kind === 'table' || container.kind === 'materialized_view';

/**
 * The FROM item of every profiling statement, aliased `src`. Sampling:
 * `TABLESAMPLE BERNOULLI (percent) REPEATABLE (seed)` (row-level) on tables
 * and materialized views; views and foreign tables, which cannot be sampled
 * that way, use `random() < f`. The record limit takes the first rows the
 * scan returns (after sampling).
 */
export function postgresqlSource(container: CatalogContainer, sampling: Sampling, params: Params): string {
  const table = qualifiedName(container);
  if (sampling.fraction === null && sampling.limit === null) return `${table} AS src`;
  let from = table;
  let where = '';
  if (sampling.fraction !== null) {
    if (samplesRepeatably(container)) {
      from += ` TABLESAMPLE BERNOULLI (${params.add(sampling.fraction * 100)}) REPEATABLE (${params.add(sampling.seed)})`;
    } else {
      where = ` WHERE random() < ${params.add(sampling.fraction)}`;
    }
  }
  const limit = sampling.limit === null ? '' : ` LIMIT ${params.add(sampling.limit)}`;
  return `(SELECT * FROM ${from}${where}${limit}) AS src`;
}

const QUARTILES_ARRAY = 'ARRAY[0.25, 0.5, 0.75]::float8[]';
/** Above this magnitude x⁴ would overflow float8 (PostgreSQL raises instead of returning Infinity). */
const POWER_LIMIT = '1e75';

function fieldAggregates(plan: FieldPlan, params: Params): string[] {
  const q = `src.${escapeIdentifier(plan.field.name)}`;
  const a = (expression: string, stat: string) => `${expression} AS f${plan.index}_${stat}`;
  const out = [a(`count(${q})`, 'n')];
  out.push(a(plan.distinct === 'text' ? `count(DISTINCT ${q}::text)` : `count(DISTINCT ${q})`, 'd'));
  if (plan.extremes === 'boolean') {
    out.push(a(`bool_and(${q})::text`, 'min'), a(`bool_or(${q})::text`, 'max'));
  } else if (plan.extremes === 'value') {
    // uuid has no min/max aggregate; its lower-case text sorts the same way.
    const value = plan.field.type === 'uuid' ? `${q}::text` : q;
    out.push(a(`min(${value})::text`, 'min'), a(`max(${value})::text`, 'max'));
  }
  if (plan.numeric) {
    const x = `${q}::float8`;
    // NULL stays NULL (ignored by sum); a huge value makes the sum Infinity, so no moments are reported.
    const guarded = (power: string) => `CASE WHEN abs(${x}) >= ${POWER_LIMIT} THEN 'Infinity'::float8 ELSE ${power} END`;
    out.push(
      a(`sum(${q})::text`, 'sum'),
      a(`avg(${q})::float8`, 'mean'),
      a(`stddev_samp(${q})::float8`, 'sd'),
      a(`sum(${guarded(`${x} * ${x} * ${x}`)})`, 's3'),
      a(`sum(${guarded(`(${x} * ${x}) * (${x} * ${x})`)})`, 's4'),
      a(`percentile_cont(${QUARTILES_ARRAY}) WITHIN GROUP (ORDER BY ${x})`, 'q'),
    );
  }
  if (plan.temporal) {
    out.push(
      a(`percentile_disc(${QUARTILES_ARRAY}) WITHIN GROUP (ORDER BY ${q})::text[]`, 'q'),
      // Dates compare as their midnight: a date is future from tomorrow on.
      a(`max(${q}) > now()`, 'future'),
    );
  }
  if (plan.text) {
    const s = `${q}::text`;
    out.push(
      a(`min(char_length(${s}))`, 'minlen'),
      a(`max(char_length(${s}))`, 'maxlen'),
      a(`avg(char_length(${s}))::float8`, 'meanlen'),
      ...plan.shapes.map((shape) => a(`count(*) FILTER (WHERE ${s} ~ ${params.shared(PATTERNS[shape])})`, `p_${shape}`)),
    );
  }
  return out;
}

/**
 * The first rows of `src`, text fields only, as `v{index}`: what narrows the
 * shapes to count. None when there is no text field, or when the source is a
 * `random()` sample (a view), whose rows differ from statement to statement.
 */
export function buildPostgresqlShapeProbeStatement(container: CatalogContainer, plans: readonly FieldPlan[], sampling: Sampling): Statement | undefined {
  const text = plans.filter((plan) => plan.text);
  if (text.length === 0 || (sampling.fraction !== null && !samplesRepeatably(container))) return undefined;
  const params = new Params('postgresql');
  const source = postgresqlSource(container, sampling, params);
  const select = text.map((plan) => `src.${escapeIdentifier(plan.field.name)}::text AS v${plan.index}`);
  return { text: `SELECT ${select.join(', ')} FROM ${source} LIMIT ${params.add(SHAPE_PROBE_ROWS)}`, values: params.values };
}

/** The single aggregate pass: every statistic of every field in one SELECT over `src`. */
export function buildPostgresqlProfileStatement(
  container: CatalogContainer,
  plans: readonly FieldPlan[],
  sampling: Sampling,
): Statement {
  const params = new Params('postgresql');
  const source = postgresqlSource(container, sampling, params);
  const select = ['count(*) AS row_count', ...plans.flatMap((plan) => fieldAggregates(plan, params))];
  return { text: `SELECT ${select.join(',\n       ')}\n  FROM ${source}`, values: params.values };
}

type Row = Record<string, unknown>;

const textArray = (value: unknown): (string | null)[] | null =>
  Array.isArray(value) ? value.map((v) => (v === null ? null : String(v))) : null;

export function readPostgresqlProfileRow(row: Row, plans: readonly FieldPlan[]): { rowCount: number; raw: RawAggregates[] } {
  const raw = plans.map((plan): RawAggregates => {
    const get = (stat: string) => row[`f${plan.index}_${stat}`];
    let quartiles: RawAggregates['quartiles'] = null;
    const q = get('q');
    if (plan.numeric && Array.isArray(q)) {
      const [q1, q2, q3] = q.map((v) => numberText(toNumber(v)));
      quartiles = [q1 ?? null, q2 ?? null, q3 ?? null];
    } else if (plan.temporal) {
      const [q1, q2, q3] = textArray(q) ?? [];
      quartiles = [q1 ?? null, q2 ?? null, q3 ?? null];
    }
    const nonNull = toCount(get('n'));
    const mean = toNumber(get('mean'));
    const stddev = toNumber(get('sd'));
    let patternCounts: Partial<Record<PatternShape, number>> | null = null;
    if (plan.text) {
      patternCounts = Object.fromEntries(plan.shapes.map((shape) => [shape, toCount(get(`p_${shape}`))]));
    }
    return {
      nonNull,
      distinct: toCount(get('d')),
      min: toText(get('min')),
      max: toText(get('max')),
      sum: toText(get('sum')),
      mean,
      stddev,
      powerSums: plan.numeric ? powerSumsFrom(nonNull, mean, stddev, toNumber(get('s3')), toNumber(get('s4'))) : null,
      quartiles,
      minLength: toNumber(get('minlen')),
      maxLength: toNumber(get('maxlen')),
      meanLength: toNumber(get('meanlen')),
      hasFuture: plan.temporal ? get('future') === true : null,
      patternCounts,
    };
  });
  return { rowCount: toCount(row['row_count']), raw };
}

/**
 * The distinct values of low-cardinality fields in one pass over the same
 * (repeatable) sample: `GROUP BY GROUPING SETS ((a), (b), ...)` returns each
 * field's values, at most the threshold per field. Rows of field i have
 * `g{i}` = 0; ordered by each field's own type.
 */
export function buildPostgresqlExpectedValuesStatement(
  container: CatalogContainer,
  plans: readonly FieldPlan[],
  sampling: Sampling,
): Statement {
  const params = new Params('postgresql');
  const source = postgresqlSource(container, sampling, params);
  const columns = plans.map((plan) => `src.${escapeIdentifier(plan.field.name)}`);
  const select = plans.flatMap((plan, i) => [`${columns[i]}::text AS v${i}`, `GROUPING(${columns[i]}) AS g${i}`]);
  return {
    text: `SELECT ${select.join(', ')}
  FROM ${source}
 GROUP BY GROUPING SETS (${columns.map((c) => `(${c})`).join(', ')})
 ORDER BY ${columns.map((c) => `${c} NULLS LAST`).join(', ')}`,
    values: params.values,
  };
}

export function readExpectedValues(rows: readonly Row[], plans: readonly FieldPlan[]): Map<string, string[]> {
  const values = new Map<string, string[]>(plans.map((plan) => [plan.field.name, []]));
  for (const row of rows) {
    plans.forEach((plan, i) => {
      const value = row[`v${i}`];
      if (toCount(row[`g${i}`]) === 0 && value !== null && value !== undefined) values.get(plan.field.name)?.push(String(value));
    });
  }
  return values;
}

export function samplingOf(settings: ProfileSettings, seed = Math.random()): Sampling {
  return { fraction: settings.sampleFraction, limit: settings.recordLimit, seed: Math.round(seed * 1e9) };
}

export async function profilePostgresql(session: PostgresqlSession, input: ProfileInput): Promise<ProfileResult> {
  const settings = readProfileInput(input);
  const { run } = session;
  run.report('catalog', 0, 3, `looking up '${settings.container}'`);
  const container = await describePostgresqlContainer(session, settings.container);
  let plans = planFields(container.fields);
  const sampling = samplingOf(settings);
  let statements = 0;

  const probe = buildPostgresqlShapeProbeStatement(container, plans, sampling);
  if (probe) {
    plans = narrowShapes(plans, await session.query<Row>(probe.text, probe.values));
    statements += 1;
  }
  run.report('aggregate', 1, 3, `profiling ${container.id} in one aggregate pass`);
  const statement = buildPostgresqlProfileStatement(container, plans, sampling);
  const [row] = await session.query<Row>(statement.text, statement.values);
  const { rowCount, raw } = readPostgresqlProfileRow(row ?? {}, plans);
  const fields = plans.map((plan, i) => assembleFieldProfile(plan, rowCount, raw[i] as RawAggregates));
  statements += 1;

  const candidates = new Set(expectedValuesCandidates(fields, settings.inferenceLevel));
  let expected = new Map<string, string[]>();
  if (candidates.size > 0) {
    run.report('expected_values', 2, 3, `reading the values of ${candidates.size} low-cardinality fields`);
    const chosen = plans.filter((plan) => candidates.has(plan.field.name));
    const values = buildPostgresqlExpectedValuesStatement(container, chosen, sampling);
    expected = readExpectedValues(await session.query<Row>(values.text, values.values), chosen);
    statements += 1;
  }
  const checks = inferChecks(fields, settings.inferenceLevel, expected);
  run.report('done', 3, 3, `${fields.length} fields profiled, ${checks.length} checks inferred`);
  return profileResult(container, settings, { profiledRows: rowCount, fields, checks, statements });
}
