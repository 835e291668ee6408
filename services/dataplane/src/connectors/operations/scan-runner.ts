import { planScan } from './inputs';
import { type OperationRun } from './run';
import {
  buildSampleStatement,
  buildScanCountStatement,
  buildUniqueCountStatement,
  countingModeOf,
  type ScanDialect,
} from './scan-sql';
import { type Statement } from './sql';
import { toCount, toText } from './values';
import { type CatalogContainer, type CheckOutcome, type ScanInput, type ScanResult, type ViolatingRow } from './types';

export type RunStatement = (statement: Statement) => Promise<Record<string, unknown>[]>;

/**
 * Evaluates a scan inside the database: one counting pass for all checks,
 * one counting statement per Unique check, then one capped sample statement
 * per violated check. Never reads more than `sampleLimit` rows per check.
 */
export async function runScan(
  dialect: ScanDialect,
  container: CatalogContainer,
  input: ScanInput,
  run: OperationRun,
  execute: RunStatement,
): Promise<ScanResult> {
  const plan = planScan(input, container);
  const total = plan.checks.length + 1;
  run.report('count', 0, total, `counting violations of ${plan.checks.length} checks in ${container.id}`);
  const [counts = {}] = await execute(buildScanCountStatement(dialect, container, plan));
  const scanned = toCount(counts['scanned']);
  const highWaterMark = plan.incremental ? (toText(counts['high_water_mark']) ?? (plan.incremental.after || null)) : null;

  const outcomes: CheckOutcome[] = [];
  for (const [i, planned] of plan.checks.entries()) {
    let violations: number;
    switch (countingModeOf(planned)) {
      case 'aggregate':
        violations = toCount(counts[`c${i}`]);
        break;
      case 'non_null':
        violations = toCount(counts[`c${i}`]) === 0 ? scanned : 0;
        break;
      case 'separate': {
        const [row = {}] = await execute(buildUniqueCountStatement(dialect, container, plan, planned));
        violations = toCount(row['violations']);
        break;
      }
    }
    let sample: ViolatingRow[] = [];
    if (violations > 0 && plan.sampleLimit > 0) {
      const rows = await execute(buildSampleStatement(dialect, container, plan, planned));
      sample = rows.map((row) => ({
        key: Object.fromEntries(plan.rowKey.map((field, k) => [field.name, toText(row[`k${k}`])])),
        value: toText(row['value']),
      }));
    }
    outcomes.push({ key: planned.key, check: planned.check, violations, sample });
    run.report('check', i + 1, total, `${planned.key}: ${violations} violations`);
  }
  return { container: container.id, scannedRows: scanned, outcomes, highWaterMark, scannedAt: new Date().toISOString() };
}
