/** Percentile of already-sorted samples (nearest rank). */
export function percentile(sorted, p) {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), min: sorted[0], max: sorted.at(-1) };
}

/** Times `fn` once in milliseconds. */
export async function timeOnce(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Measures two contenders in interleaved rounds, so drift on a shared machine
 * (other processes, CPU frequency) hits both alike.
 */
export async function interleaved({ ours, floor, warmup, iterations, rounds }) {
  for (let i = 0; i < warmup; i++) {
    await ours();
    await floor();
  }
  const result = { ours: [], floor: [] };
  const perRound = Math.ceil(iterations / rounds);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < perRound; i++) result.ours.push(await timeOnce(ours));
    for (let i = 0; i < perRound; i++) result.floor.push(await timeOnce(floor));
  }
  return { ours: summarize(result.ours), floor: summarize(result.floor) };
}

export const fmt = (ms) => `${ms.toFixed(2)} ms`;
