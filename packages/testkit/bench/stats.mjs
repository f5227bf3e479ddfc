// Summaries of explore benchmark samples, shared by the package's bench (bench/explore.ts)
// and the side-by-side comparison of two checkouts (scripts/bench-vs-explore.mjs).
// Types: stats.d.mts.

/** The median of a non-empty list (the mean of the middle two for an even length). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Min, median and max of a non-empty list, each rounded to `digits` significant digits. */
export function summary(xs, digits = 4) {
  const r = (x) => Number(x.toPrecision(digits));
  return { min: r(Math.min(...xs)), median: r(median(xs)), max: r(Math.max(...xs)) };
}

/**
 * Schedules per second of each sample by three clocks: `cpu` (user + system CPU time of
 * the whole process, the headline: it does not count time the process waited for a
 * core on a shared machine), `cpuUser` (user time only: V8's parallel GC threads add
 * to both, and on 2 cores their share moves with load) and `wall`.
 */
export function sampleRates(samples) {
  return {
    cpu: samples.map((s) => s.schedules / ((s.userMs + s.systemMs) / 1000)),
    cpuUser: samples.map((s) => s.schedules / (s.userMs / 1000)),
    wall: samples.map((s) => s.schedules / (s.wallMs / 1000)),
  };
}

/** Element-wise a[i] / b[i] over the common length: ratios of neighbouring samples. */
export function pairRatios(a, b) {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i] / b[i]);
}

/**
 * Whether rates `mine` are slower than `theirs` beyond noise: every pair's ratio is
 * below 1 and the ratio of medians is below 1 by more than the larger relative
 * half-spread ((max − min) / 2 / median) of the two sides.
 */
export function slowerBeyondNoise(mine, theirs) {
  const ratios = pairRatios(mine, theirs);
  if (ratios.length === 0 || ratios.some((r) => r >= 1)) return false;
  const halfSpread = (xs) => (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs);
  const noise = Math.max(halfSpread(mine), halfSpread(theirs));
  return median(mine) / median(theirs) < 1 - noise;
}
