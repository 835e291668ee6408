import { mapSettledWithConcurrency } from './map-with-concurrency';

describe(mapSettledWithConcurrency.name, () => {
  it('never runs more than the limit at once and keeps input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const sut = await mapSettledWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (delay) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delay * 3));
      inFlight--;
      return delay * 10;
    });
    expect(peak).toBe(2);
    expect(sut.map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual([50, 10, 40, 20, 30, 0]);
  });

  it('settles every item even when some fail', async () => {
    const sut = await mapSettledWithConcurrency([1, 2, 3], 3, async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    });
    expect(sut.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('handles an empty list', async () => {
    await expect(mapSettledWithConcurrency([], 4, async () => 1)).resolves.toEqual([]);
  });
});
