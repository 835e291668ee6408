import { inferTypeFromShapes, PATTERN_SHAPES, possibleShapes } from './patterns';
import { toText } from './values';
import { momentsFromPowerSums, type PowerSums } from './statistics';
import { type ProfileSettings } from './inputs';
import {
  type CatalogContainer,
  type CatalogField,
  type FieldProfile,
  type NormalizedType,
  type PatternShape,
  type ProfileResult,
} from './types';

/** Which aggregates one field gets in the single profiling pass; dialects render it. */
export interface FieldPlan {
  readonly field: CatalogField;
  /** Position in the statement: aliases are `f{index}_...`, never the field's name. */
  readonly index: number;
  /** `count(DISTINCT x)`, or over its text for types without equality (json, other). */
  readonly distinct: 'value' | 'text';
  /** min / max: by value, as booleans (false < true), or none (json, binary, other). */
  readonly extremes: 'value' | 'boolean' | 'none';
  /** sum, mean, stddev, power sums, continuous quartiles. */
  readonly numeric: boolean;
  /** Discrete quartiles, future count. */
  readonly temporal: boolean;
  /** Lengths and shape counts. */
  readonly text: boolean;
  /** Text fields: the shapes the aggregate pass counts (all, until a probe narrows them). */
  readonly shapes: readonly PatternShape[];
}

const PLANS: Record<NormalizedType, Omit<FieldPlan, 'field' | 'index' | 'shapes'>> = {
  integer: { distinct: 'value', extremes: 'value', numeric: true, temporal: false, text: false },
  decimal: { distinct: 'value', extremes: 'value', numeric: true, temporal: false, text: false },
  float: { distinct: 'value', extremes: 'value', numeric: true, temporal: false, text: false },
  string: { distinct: 'value', extremes: 'value', numeric: false, temporal: false, text: true },
  boolean: { distinct: 'value', extremes: 'boolean', numeric: false, temporal: false, text: false },
  date: { distinct: 'value', extremes: 'value', numeric: false, temporal: true, text: false },
  timestamp: { distinct: 'value', extremes: 'value', numeric: false, temporal: true, text: false },
  time: { distinct: 'value', extremes: 'value', numeric: false, temporal: false, text: false },
  uuid: { distinct: 'value', extremes: 'value', numeric: false, temporal: false, text: false },
  json: { distinct: 'text', extremes: 'none', numeric: false, temporal: false, text: false },
  binary: { distinct: 'value', extremes: 'none', numeric: false, temporal: false, text: false },
  other: { distinct: 'text', extremes: 'none', numeric: false, temporal: false, text: false },
};

export function planFields(fields: readonly CatalogField[]): FieldPlan[] {
  return fields.map((field, index) => {
    const plan = PLANS[field.type];
    return { field, index, ...plan, shapes: plan.text ? PATTERN_SHAPES : [] };
  });
}

/**
 * Narrows each text field's shapes to those every value of the probe rows has
 * (column `v{index}`): one regular expression per row and shape in the
 * aggregate pass costs as much as the rest of it together.
 */
export function narrowShapes(plans: readonly FieldPlan[], probeRows: readonly Record<string, unknown>[]): FieldPlan[] {
  return plans.map((plan) =>
    plan.text ? { ...plan, shapes: possibleShapes(probeRows.map((row) => toText(row[`v${plan.index}`]))) } : plan,
  );
}

/** What a dialect read back from the aggregate row (and quantile statements) for one field. */
export interface RawAggregates {
  readonly nonNull: number;
  readonly distinct: number;
  readonly min: string | null;
  readonly max: string | null;
  readonly sum: string | null;
  readonly mean: number | null;
  readonly stddev: number | null;
  readonly powerSums: PowerSums | null;
  /** Q1, median, Q3 in the field's text form, or null when not computed / no values. */
  readonly quartiles: readonly [string | null, string | null, string | null] | null;
  readonly minLength: number | null;
  readonly maxLength: number | null;
  readonly meanLength: number | null;
  readonly hasFuture: boolean | null;
  readonly patternCounts: Readonly<Partial<Record<PatternShape, number>>> | null;
}

/** A JavaScript number as quantile text (shortest form that reads back to the same double). */
export function numberText(value: number | null): string | null {
  return value === null || !Number.isFinite(value) ? null : String(value);
}

export function assembleFieldProfile(plan: FieldPlan, rowCount: number, raw: RawAggregates): FieldProfile {
  const { field } = plan;
  const nonNullCount = raw.nonNull;
  const moments = plan.numeric && raw.powerSums ? momentsFromPowerSums(raw.powerSums) : { skewness: null, kurtosis: null };
  const some = nonNullCount > 0;
  return {
    field: field.name,
    declaredType: field.declaredType,
    type: field.type,
    inferredType: plan.text ? inferTypeFromShapes(field.type, nonNullCount, raw.patternCounts) : field.type,
    rowCount,
    nullCount: rowCount - nonNullCount,
    nonNullCount,
    completeness: rowCount === 0 ? 1 : nonNullCount / rowCount,
    distinctCount: raw.distinct,
    distinctIsEstimate: false,
    min: raw.min,
    max: raw.max,
    sum: plan.numeric && some ? raw.sum : null,
    mean: plan.numeric && some ? raw.mean : null,
    stddev: plan.numeric && nonNullCount > 1 ? raw.stddev : null,
    skewness: moments.skewness,
    kurtosis: moments.kurtosis,
    q1: raw.quartiles?.[0] ?? null,
    median: raw.quartiles?.[1] ?? null,
    q3: raw.quartiles?.[2] ?? null,
    minLength: plan.text && some ? raw.minLength : null,
    maxLength: plan.text && some ? raw.maxLength : null,
    meanLength: plan.text && some ? raw.meanLength : null,
    hasFuture: plan.temporal ? (raw.hasFuture ?? false) : null,
    patternCounts: plan.text ? raw.patternCounts : null,
  };
}

/** The profile of one container, as both SQL connectors report it. */
export function profileResult(
  container: CatalogContainer,
  settings: ProfileSettings,
  outcome: Pick<ProfileResult, 'profiledRows' | 'fields' | 'checks' | 'statements'>,
): ProfileResult {
  return {
    container: container.id,
    sampleFraction: settings.sampleFraction,
    recordLimit: settings.recordLimit,
    inferenceLevel: settings.inferenceLevel,
    ...outcome,
    profiledAt: new Date().toISOString(),
  };
}
