import { type PlannedCheck, type ScanPlan } from './inputs';
import { type Params, type Statement } from './sql';
import { type CatalogContainer, type CatalogField } from './types';

/** What differs between databases when a scan is written as SQL. */
export interface ScanDialect {
  params(): Params;
  quote(name: string): string;
  table(container: CatalogContainer): string;
  /** The value as text, in the database's own text form. */
  asText(expression: string, field: CatalogField): string;
  /** Rows of the group for which `predicate` is true. */
  countWhere(predicate: string): string;
  /** The row violates `check` (never true for a NULL, except Not Null). Not for Any Not Null or Unique. */
  violation(planned: PlannedCheck, column: string, params: Params): string;
}

/** Rows of one check's counting: `c{i}` in the counting statement, or a statement of its own (Unique). */
export type CountingMode = 'aggregate' | 'non_null' | 'separate';

export function countingModeOf(planned: PlannedCheck): CountingMode {
  switch (planned.check.type) {
    case 'any_not_null':
      return 'non_null';
    case 'unique':
      return 'separate';
    default:
      return 'aggregate';
  }
}

const column = (dialect: ScanDialect, field: CatalogField) => `src.${dialect.quote(field.name)}`;

function incrementalFilter(dialect: ScanDialect, plan: ScanPlan, params: Params): string {
  // An empty mark is the first incremental scan: every row is scanned, and the mark is set.
  return plan.incremental && plan.incremental.after !== ''
    ? `${column(dialect, plan.incremental.field)} > ${params.add(plan.incremental.after)}`
    : '';
}

const where = (...conditions: string[]) => {
  const present = conditions.filter(Boolean);
  return present.length > 0 ? ` WHERE ${present.map((c) => `(${c})`).join(' AND ')}` : '';
};

/**
 * One pass over the scanned rows counting every check's violations (`c{i}`;
 * for Any Not Null the non-null values), the rows scanned and, for an
 * incremental scan, the new high-water mark. Unique checks count separately.
 */
export function buildScanCountStatement(dialect: ScanDialect, container: CatalogContainer, plan: ScanPlan): Statement {
  const params = dialect.params();
  const select = ['COUNT(*) AS scanned'];
  if (plan.incremental) {
    const inc = plan.incremental.field;
    select.push(`${dialect.asText(`MAX(${column(dialect, inc)})`, inc)} AS high_water_mark`);
  }
  plan.checks.forEach((planned, i) => {
    const q = column(dialect, planned.field);
    switch (countingModeOf(planned)) {
      case 'non_null':
        select.push(`COUNT(${q}) AS c${i}`);
        break;
      case 'aggregate':
        select.push(`${dialect.countWhere(dialect.violation(planned, q, params))} AS c${i}`);
        break;
      case 'separate':
        break;
    }
  });
  const filter = incrementalFilter(dialect, plan, params);
  return { text: `SELECT ${select.join(',\n       ')}\n  FROM ${dialect.table(container)} AS src${where(filter)}`, values: params.values };
}

/** Values that occur more than once in the whole table (a new row duplicating an old one violates Unique). */
function duplicates(dialect: ScanDialect, container: CatalogContainer, field: CatalogField): string {
  const q = dialect.quote(field.name);
  return `(SELECT ${q} AS v FROM ${dialect.table(container)} WHERE ${q} IS NOT NULL GROUP BY ${q} HAVING COUNT(*) > 1) AS dup`;
}

/** Unique: scanned rows whose value occurs more than once. */
export function buildUniqueCountStatement(
  dialect: ScanDialect,
  container: CatalogContainer,
  plan: ScanPlan,
  planned: PlannedCheck,
): Statement {
  const params = dialect.params();
  const join = `JOIN ${duplicates(dialect, container, planned.field)} ON ${column(dialect, planned.field)} = dup.v`;
  const filter = incrementalFilter(dialect, plan, params);
  return { text: `SELECT COUNT(*) AS violations\n  FROM ${dialect.table(container)} AS src ${join}${where(filter)}`, values: params.values };
}

/**
 * Up to `sampleLimit` violating rows of one check: the row key (`k{i}`) and
 * the field's value, ordered by the key (Unique: by value, then key; no key:
 * by value), so samples are stable.
 */
export function buildSampleStatement(
  dialect: ScanDialect,
  container: CatalogContainer,
  plan: ScanPlan,
  planned: PlannedCheck,
): Statement {
  const params = dialect.params();
  const q = column(dialect, planned.field);
  const keys = plan.rowKey.map((field) => column(dialect, field));
  const select = [
    ...plan.rowKey.map((field, i) => `${dialect.asText(keys[i] as string, field)} AS k${i}`),
    `${dialect.asText(q, planned.field)} AS value`,
  ];
  let join = '';
  let predicate = '';
  let order = keys.length > 0 ? keys : [q];
  switch (planned.check.type) {
    case 'unique':
      join = ` JOIN ${duplicates(dialect, container, planned.field)} ON ${q} = dup.v`;
      order = [q, ...keys];
      break;
    case 'any_not_null':
      // Violated only when every scanned value is null: every scanned row is a witness.
      break;
    default:
      predicate = dialect.violation(planned, q, params);
  }
  const filter = incrementalFilter(dialect, plan, params);
  const limit = params.add(plan.sampleLimit);
  return {
    text: `SELECT ${select.join(', ')}\n  FROM ${dialect.table(container)} AS src${join}${where(predicate, filter)}\n ORDER BY ${order.join(', ')}\n LIMIT ${limit}`,
    values: params.values,
  };
}
