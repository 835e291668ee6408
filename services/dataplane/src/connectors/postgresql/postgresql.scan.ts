import { escapeIdentifier } from 'pg';
import { type PlannedCheck } from '../operations/inputs';
import { runScan } from '../operations/scan-runner';
import { type ScanDialect } from '../operations/scan-sql';
import { Params } from '../operations/sql';
import { type ScanInput, type ScanResult } from '../operations/types';
import { qualifiedName } from './postgresql.profile';
import { type PostgresqlSession } from './postgresql.session';
import { describePostgresqlContainer } from './postgresql.sync';

/**
 * Violation predicates. Parameters stay untyped where PostgreSQL should read
 * them as the column's own type (`= ANY($n)` becomes `type[]`, timestamps),
 * and are cast for numbers so a bound like 2.5 works on an integer column.
 */
function violation(planned: PlannedCheck, q: string, params: Params): string {
  const { check, field } = planned;
  switch (check.type) {
    case 'not_null':
      return `${q} IS NULL`;
    case 'expected_values':
      return `${q} IS NOT NULL AND NOT (${q} = ANY(${params.add([...check.values])}))`;
    case 'not_negative':
      return `${q} < 0`;
    case 'not_future':
      return `${q} > now()`;
    case 'between': {
      const cast = field.type === 'float' ? 'float8' : 'numeric';
      return `${q} < ${params.add(check.min)}::${cast} OR ${q} > ${params.add(check.max)}::${cast}`;
    }
    case 'between_times':
      return `${q} < ${params.add(check.min)} OR ${q} > ${params.add(check.max)}`;
    case 'matches_pattern':
      return `${q} IS NOT NULL AND NOT (${q}::text ~ ${params.add(check.pattern)})`;
    case 'any_not_null':
    case 'unique':
      throw new Error(`${check.type} has no row predicate`);
  }
}

export const POSTGRESQL_SCAN_DIALECT: ScanDialect = {
  params: () => new Params('postgresql'),
  quote: escapeIdentifier,
  table: qualifiedName,
  asText: (expression) => `(${expression})::text`,
  countWhere: (predicate) => `count(*) FILTER (WHERE ${predicate})`,
  violation,
};

export async function scanPostgresql(session: PostgresqlSession, input: ScanInput): Promise<ScanResult> {
  session.run.report('catalog', 0, 1, `looking up '${input.container}'`);
  const container = await describePostgresqlContainer(session, input.container);
  return runScan(POSTGRESQL_SCAN_DIALECT, container, input, session.run, (statement) =>
    session.query<Record<string, unknown>>(statement.text, statement.values),
  );
}
