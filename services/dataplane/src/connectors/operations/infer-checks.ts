import { checkKey } from './identity';
import { CHECKABLE_SHAPES, PATTERNS } from './patterns';
import {
  isNumeric,
  isTemporal,
  type Check,
  type FieldProfile,
  type InferenceLevel,
  type InferredCheck,
  type NormalizedType,
} from './types';

export interface InferenceThresholds {
  /** Expected Values only for fields with at most this many distinct values ... */
  readonly maxDistinct: number;
  /** ... that are also at most this share of the rows profiled. */
  readonly maxDistinctRatio: number;
}

export const DEFAULT_THRESHOLDS: InferenceThresholds = { maxDistinct: 10, maxDistinctRatio: 0.05 };

/** Booleans (trivially two values), floats, json, binary and other are never enumerated. */
const ENUMERABLE: readonly NormalizedType[] = ['integer', 'decimal', 'string', 'date', 'timestamp', 'time', 'uuid'];

/**
 * Fields whose distinct values a connector should fetch (one small second
 * query) so Expected Values can be inferred. Empty below level 1.
 */
export function expectedValuesCandidates(
  profiles: readonly FieldProfile[],
  level: InferenceLevel,
  thresholds: InferenceThresholds = DEFAULT_THRESHOLDS,
): string[] {
  if (level < 1) return [];
  return profiles
    .filter(
      (p) =>
        ENUMERABLE.includes(p.type) &&
        !p.distinctIsEstimate &&
        p.distinctCount >= 1 &&
        p.distinctCount <= thresholds.maxDistinct &&
        p.distinctCount <= thresholds.maxDistinctRatio * p.rowCount,
    )
    .map((p) => p.field);
}

/** Unique is not inferred for booleans (trivial) nor for types without equality (json, other). */
const NOT_UNIQUE_CHECKED: readonly NormalizedType[] = ['boolean', 'json', 'other'];

const inferred = (check: Check, description: string): InferredCheck => ({ ...check, key: checkKey(check), description });

/**
 * Checks that hold on the profiled data, by inference level:
 *  0 — none;
 *  1 — Not Null (no nulls), Any Not Null (some nulls, some values), Expected
 *      Values (fields in `expectedValues`: low cardinality), Not Negative
 *      (numbers with min ≥ 0), Not Future (dates / timestamps, none after now);
 *  2 — adds Between (numbers, min..max), Between Times (min..max), Matches
 *      Pattern (strings whose every value is an email, UUID or ISO date) and
 *      Unique (exact distinct count = non-null count, at least two values).
 * Every check is built from figures of the profile itself, so it holds on the
 * profiled rows by construction. Keys are `type:field`.
 */
export function inferChecks(
  profiles: readonly FieldProfile[],
  level: InferenceLevel,
  expectedValues: ReadonlyMap<string, readonly string[]> = new Map(),
): InferredCheck[] {
  if (level < 1) return [];
  const checks: InferredCheck[] = [];
  for (const p of profiles) {
    const field = p.field;
    if (p.rowCount === 0) continue;
    const some = p.nonNullCount > 0;
    if (p.nullCount === 0) {
      checks.push(inferred({ type: 'not_null', field }, `${field} is never null`));
    } else if (some) {
      checks.push(inferred({ type: 'any_not_null', field }, `${field} has at least one value`));
    }
    if (!some) continue;

    const values = expectedValues.get(field);
    if (values && values.length > 0) {
      checks.push(inferred({ type: 'expected_values', field, values: [...values] }, `${field} is one of ${values.length} values`));
    }
    const min = p.min === null ? NaN : Number(p.min);
    if (isNumeric(p.type) && min >= 0) {
      checks.push(inferred({ type: 'not_negative', field }, `${field} is not negative`));
    }
    if (isTemporal(p.type) && p.hasFuture === false) {
      checks.push(inferred({ type: 'not_future', field }, `${field} is not in the future`));
    }
    if (level < 2) continue;

    if (isNumeric(p.type) && p.min !== null && p.max !== null) {
      checks.push(inferred({ type: 'between', field, min: p.min, max: p.max }, `${field} is between ${p.min} and ${p.max}`));
    }
    if (isTemporal(p.type) && p.min !== null && p.max !== null) {
      checks.push(
        inferred({ type: 'between_times', field, min: p.min, max: p.max }, `${field} is between ${p.min} and ${p.max}`),
      );
    }
    if (p.type === 'string' && p.patternCounts) {
      const shape = CHECKABLE_SHAPES.find((s) => p.patternCounts?.[s] === p.nonNullCount);
      if (shape) {
        checks.push(
          inferred({ type: 'matches_pattern', field, pattern: PATTERNS[shape], shape }, `${field} matches the ${shape} pattern`),
        );
      }
    }
    if (!p.distinctIsEstimate && p.nonNullCount > 1 && p.distinctCount === p.nonNullCount && !NOT_UNIQUE_CHECKED.includes(p.type)) {
      checks.push(inferred({ type: 'unique', field }, `${field} has no duplicate values`));
    }
  }
  return checks;
}
