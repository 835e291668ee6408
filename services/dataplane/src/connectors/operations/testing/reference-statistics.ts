import { PATTERN_SHAPES, PATTERNS } from '../patterns';
import { type PatternShape } from '../types';

/**
 * A deliberately plain, two-pass reference for the figures a Profile reports,
 * computed in Node from a small list of values. Integration specs use it as
 * the independent oracle for what the databases computed in one pass; it is
 * not used by the connectors.
 */

export function linearQuantile(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const low = sorted[lo] as number;
  const high = sorted[hi] as number;
  return low + (high - low) * (position - lo);
}

export function discreteQuantile<T>(sorted: readonly T[], p: number): T {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as T;
}

export interface NumericReference {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly mean: number;
  readonly stddev: number;
  readonly skewness: number;
  readonly kurtosis: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
}

/** Sample statistics with central moments from a second pass over the values. */
export function numericReference(values: readonly number[]): NumericReference {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const sum = values.reduce((total, v) => total + v, 0);
  const mean = sum / n;
  const central = (k: number) => values.reduce((total, v) => total + (v - mean) ** k, 0) / n;
  const m2 = central(2);
  const m3 = central(3);
  const m4 = central(4);
  const stddev = Math.sqrt((m2 * n) / (n - 1));
  const g1 = m3 / m2 ** 1.5;
  const g2 = m4 / (m2 * m2) - 3;
  return {
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    sum,
    mean,
    stddev,
    skewness: (Math.sqrt(n * (n - 1)) / (n - 2)) * g1,
    kurtosis: ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6),
    q1: linearQuantile(sorted, 0.25),
    median: linearQuantile(sorted, 0.5),
    q3: linearQuantile(sorted, 0.75),
  };
}

export interface TextReference {
  readonly minLength: number;
  readonly maxLength: number;
  readonly meanLength: number;
  readonly patternCounts: Record<PatternShape, number>;
}

/** Lengths in code points (PostgreSQL `char_length`, MySQL `CHAR_LENGTH`) and shape counts with JavaScript's regex engine. */
export function textReference(values: readonly string[]): TextReference {
  const lengths = values.map((v) => [...v].length);
  return {
    minLength: Math.min(...lengths),
    maxLength: Math.max(...lengths),
    meanLength: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    patternCounts: Object.fromEntries(
      PATTERN_SHAPES.map((shape) => [shape, values.filter((v) => new RegExp(PATTERNS[shape]).test(v)).length]),
    ) as Record<PatternShape, number>,
  };
}

/**
 * Where a profile's shape counts disagree with the reference: a counted shape
 * must have the reference's count; a shape left out must have a
 * counterexample (the probe may only rule out what does not hold for every
 * value). Empty when they agree.
 */
export function shapeCountDisagreements(
  counted: Readonly<Partial<Record<PatternShape, number>>> | null,
  reference: Readonly<Record<PatternShape, number>>,
  nonNull: number,
): string[] {
  return PATTERN_SHAPES.flatMap((shape) => {
    const count = counted?.[shape];
    if (count === undefined) return reference[shape] < nonNull ? [] : [`${shape}: every value has it, but it was not counted`];
    return count === reference[shape] ? [] : [`${shape}: counted ${count}, reference ${reference[shape]}`];
  });
}
