/** Min, median and max of a list of numbers. */
export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** One timed sample of explorations, as bench/explore-sample.mjs prints it. */
export interface Sample {
  readonly seed: number;
  readonly schedules: number;
  readonly wallMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  readonly verdicts: readonly string[];
}

/** Schedules per second of each sample by CPU (user + system), user CPU only, and wall clock. */
export interface SampleRates {
  readonly cpu: number[];
  readonly cpuUser: number[];
  readonly wall: number[];
}

export function median(xs: readonly number[]): number;
export function summary(xs: readonly number[], digits?: number): Summary;
export function sampleRates(samples: readonly Sample[]): SampleRates;
export function pairRatios(a: readonly number[], b: readonly number[]): number[];
export function slowerBeyondNoise(mine: readonly number[], theirs: readonly number[]): boolean;
