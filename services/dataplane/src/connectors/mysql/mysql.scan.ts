import { type PlannedCheck } from '../operations/inputs';
import { runScan } from '../operations/scan-runner';
import { type ScanDialect } from '../operations/scan-sql';
import { Params } from '../operations/sql';
import { type ScanInput, type ScanResult } from '../operations/types';
import { qualifiedMysqlName } from './mysql.profile';
import { quoteMysqlIdentifier } from './mysql.protocol';
import { type MysqlSession } from './mysql.session';
import { describeMysqlContainer } from './mysql.sync';

/**
 * Violation predicates. Values are compared with the column's own collation
 * (a case-insensitive column accepts `RED` for `red`, as its own equality
 * does). Numeric bounds are cast: DECIMAL(65,30) for exact types, DOUBLE for
 * floating ones.
 */
function violation(planned: PlannedCheck, q: string, params: Params): string {
  const { check, field } = planned;
  switch (check.type) {
    case 'not_null':
      return `${q} IS NULL`;
    case 'expected_values':
      return check.values.length === 0
        ? `${q} IS NOT NULL`
        : `${q} IS NOT NULL AND ${q} NOT IN (${check.values.map((v) => params.add(v)).join(', ')})`;
    case 'not_negative':
      return `${q} < 0`;
    case 'not_future':
      return `${q} > NOW()`;
    case 'between': {
      const bound = (value: string) =>
        field.type === 'float' ? `(${params.add(value)} + 0E0)` : `CAST(${params.add(value)} AS DECIMAL(65, 30))`;
      return `${q} < ${bound(check.min)} OR ${q} > ${bound(check.max)}`;
    }
    case 'between_times':
      return `${q} < ${params.add(check.min)} OR ${q} > ${params.add(check.max)}`;
    case 'matches_pattern': {
      const text = field.type === 'string' ? q : `CAST(${q} AS CHAR)`;
      return `${q} IS NOT NULL AND NOT (${text} REGEXP ${params.add(check.pattern)})`;
    }
    case 'any_not_null':
    case 'unique':
      throw new Error(`${check.type} has no row predicate`);
  }
}

export const MYSQL_SCAN_DIALECT: ScanDialect = {
  params: () => new Params('mysql'),
  quote: quoteMysqlIdentifier,
  table: qualifiedMysqlName,
  asText: (expression) => `CAST(${expression} AS CHAR)`,
  countWhere: (predicate) => `COUNT(CASE WHEN ${predicate} THEN 1 END)`,
  violation,
};

export async function scanMysql(session: MysqlSession, input: ScanInput): Promise<ScanResult> {
  session.run.report('catalog', 0, 1, `looking up '${input.container}'`);
  const container = await describeMysqlContainer(session, input.container);
  return runScan(MYSQL_SCAN_DIALECT, container, input, session.run, (statement) => session.query(statement.text, statement.values));
}
