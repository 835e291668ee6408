/** Sums of x, x², x³, x⁴ over the n non-null values, as one aggregate pass returns them. */
export interface PowerSums {
  readonly n: number;
  readonly s1: number;
  readonly s2: number;
  readonly s3: number;
  readonly s4: number;
}

/**
 * Power sums from what the aggregate pass already has: Σx = n·mean and
 * Σx² = (n−1)·sd² + n·mean² come from the database's own (numerically
 * careful) mean and sample standard deviation, so the pass sums only x³ and x⁴.
 */
export function powerSumsFrom(n: number, mean: number | null, sd: number | null, s3: number | null, s4: number | null): PowerSums {
  const m = mean ?? 0;
  const spread = n > 1 && sd !== null ? (n - 1) * sd * sd : 0;
  return { n, s1: n * m, s2: spread + n * m * m, s3: s3 ?? 0, s4: s4 ?? 0 };
}

export interface ShapeMoments {
  readonly skewness: number | null;
  readonly kurtosis: number | null;
}

/**
 * Sample skewness and excess kurtosis from power sums (one pass, so no second
 * scan for central moments). Central moments m2, m3, m4 (divided by n) are
 * expanded from the raw sums; then
 *   g1 = m3 / m2^1.5,           G1 = g1 · √(n(n−1)) / (n−2)                    (n ≥ 3)
 *   g2 = m4 / m2² − 3,          G2 = (n−1) / ((n−2)(n−3)) · ((n+1) g2 + 6)      (n ≥ 4)
 * the bias-adjusted estimators of pandas `skew` / `kurt` and Excel SKEW / KURT.
 * Null when undefined (too few values, or no spread). The raw-sum expansion
 * loses precision when the mean is huge relative to the spread (double
 * precision); the aggregate stays a single pass.
 */
export function momentsFromPowerSums(sums: PowerSums): ShapeMoments {
  const { n, s1, s2, s3, s4 } = sums;
  if (n < 3 || ![s1, s2, s3, s4].every(Number.isFinite)) return { skewness: null, kurtosis: null };
  const mean = s1 / n;
  const e2 = s2 / n;
  const e3 = s3 / n;
  const e4 = s4 / n;
  const m2 = e2 - mean * mean;
  // Cancellation noise, not spread: a constant column.
  if (!(m2 > 1e-12 * Math.max(e2, Number.MIN_VALUE))) return { skewness: null, kurtosis: null };
  const m3 = e3 - 3 * mean * e2 + 2 * mean ** 3;
  const m4 = e4 - 4 * mean * e3 + 6 * mean * mean * e2 - 3 * mean ** 4;
  const g1 = m3 / m2 ** 1.5;
  const skewness = (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
  if (n < 4) return { skewness, kurtosis: null };
  const g2 = m4 / (m2 * m2) - 3;
  const kurtosis = ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
  return { skewness, kurtosis };
}

/** Where the continuous p-quantile of n sorted values lies: between 0-based offsets lo and hi, `weight` of the way. */
export interface QuantilePosition {
  readonly lo: number;
  readonly hi: number;
  readonly weight: number;
}

/** percentile_cont's definition: position p·(n−1), linear interpolation between neighbours. */
export function continuousPosition(n: number, p: number): QuantilePosition {
  const position = p * (n - 1);
  const lo = Math.floor(position);
  return { lo, hi: Math.ceil(position), weight: position - lo };
}

/** percentile_disc's definition: the first value whose cumulative share reaches p (0-based offset). */
export function discreteOffset(n: number, p: number): number {
  return Math.max(0, Math.ceil(p * n) - 1);
}

export function interpolate(low: number, high: number, weight: number): number {
  return weight === 0 ? low : low + (high - low) * weight;
}

export const QUARTILES = [0.25, 0.5, 0.75] as const;
