import { continuousPosition, discreteOffset, interpolate, momentsFromPowerSums, powerSumsFrom } from './statistics';
import { numericReference } from './testing/reference-statistics';

const powerSums = (values: number[]) => ({
  n: values.length,
  s1: values.reduce((a, v) => a + v, 0),
  s2: values.reduce((a, v) => a + v ** 2, 0),
  s3: values.reduce((a, v) => a + v ** 3, 0),
  s4: values.reduce((a, v) => a + v ** 4, 0),
});

describe(momentsFromPowerSums.name, () => {
  it.each([
    [[1, 2, 3, 4, 10]],
    [[-5, -1, 0, 2, 2, 3, 40]],
    [[0.25, 0.5, 0.5, 1.75, 3, -1]],
  ])('matches the two-pass G1 and G2 of %j', (values) => {
    const ref = numericReference(values);
    const sut = momentsFromPowerSums(powerSums(values));
    expect(sut.skewness).toBeCloseTo(ref.skewness, 10);
    expect(sut.kurtosis).toBeCloseTo(ref.kurtosis, 10);
  });

  it('matches a hand computation for [1, 2, 3, 4, 10] (m2 = 10, m3 = 36, m4 = 278.8)', () => {
    const sut = momentsFromPowerSums(powerSums([1, 2, 3, 4, 10]));
    // G1 = 36 / 10^1.5 · √20 / 3; G2 = 4 / 6 · (6 · (278.8 / 100 − 3) + 6)
    expect(sut.skewness).toBeCloseTo((36 / 10 ** 1.5) * (Math.sqrt(20) / 3), 12);
    expect(sut.kurtosis).toBeCloseTo(3.152, 12);
  });

  it('is null when undefined: too few values, no spread, or overflowed sums', () => {
    expect(momentsFromPowerSums(powerSums([1, 2]))).toEqual({ skewness: null, kurtosis: null });
    expect(momentsFromPowerSums(powerSums([1, 2, 4])).kurtosis).toBeNull();
    expect(momentsFromPowerSums(powerSums([7, 7, 7, 7]))).toEqual({ skewness: null, kurtosis: null });
    expect(momentsFromPowerSums({ n: 5, s1: 1, s2: 2, s3: 3, s4: Infinity })).toEqual({ skewness: null, kurtosis: null });
  });
});

describe(powerSumsFrom.name, () => {
  it('rebuilds the sums of x and x² from the mean and the sample standard deviation', () => {
    const values = [-5, -1, 0, 2, 2, 3, 40];
    const ref = numericReference(values);
    const direct = powerSums(values);
    const sut = powerSumsFrom(values.length, ref.mean, ref.stddev, direct.s3, direct.s4);
    expect(sut.s1).toBeCloseTo(direct.s1, 10);
    expect(sut.s2).toBeCloseTo(direct.s2, 10);
    expect([sut.n, sut.s3, sut.s4]).toEqual([direct.n, direct.s3, direct.s4]);
    expect(momentsFromPowerSums(sut).skewness).toBeCloseTo(ref.skewness, 10);
  });

  it('takes one value as no spread', () => {
    expect(powerSumsFrom(1, 4, null, 64, 256)).toEqual({ n: 1, s1: 4, s2: 16, s3: 64, s4: 256 });
  });
});

describe('quantile positions', () => {
  it('interpolates like percentile_cont', () => {
    expect(continuousPosition(5, 0.5)).toEqual({ lo: 2, hi: 2, weight: 0 });
    expect(continuousPosition(4, 0.25)).toEqual({ lo: 0, hi: 1, weight: 0.75 });
    expect(interpolate(10, 20, 0.75)).toBe(17.5);
  });

  it('picks like percentile_disc: the first value whose cumulative share reaches p', () => {
    expect(discreteOffset(4, 0.5)).toBe(1);
    expect(discreteOffset(5, 0.5)).toBe(2);
    expect(discreteOffset(3, 0.25)).toBe(0);
    expect(discreteOffset(1, 0.75)).toBe(0);
  });
});
