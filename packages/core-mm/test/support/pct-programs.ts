import { Kernel, type ScheduleOptions, type Task } from '../../src/index.js';

/**
 * Small programs with bugs of known depth d (the minimum number of ordering
 * constraints that expose them), for measuring a strategy's hit rate. Every task
 * makes `k` steps, each an explicit yield followed by one action, so the number
 * of scheduling points per run does not depend on the schedule.
 */
export interface DepthProgram {
  readonly depth: number;
  readonly tasks: number;
  /** Spawns the tasks on `m`; returns a probe telling whether the bug manifested. */
  spawn(m: Kernel): () => boolean;
  /**
   * The exact probability that a run under `random` hits the bug, where it has a closed
   * form. Random picks uniformly among the unfinished tasks at every scheduling point,
   * and each pick runs one segment of the picked task (its start up to its first yield,
   * or one action up to its next yield or its exit), so the rate is a coin-flip count.
   */
  readonly randomRate?: number;
}

const stepper = (m: Kernel, t: Task, k: number, action: (i: number) => void): Promise<void> =>
  (async () => {
    for (let i = 0; i < k; i++) {
      await m.sched.yield(t);
      action(i);
    }
  })();

/** d = 1: B's first action runs before A's first action (B reads a flag A has not set yet). */
export function depth1(k: number): DepthProgram {
  return {
    depth: 1,
    tasks: 3,
    spawn(m) {
      let flag = false;
      let bug = false;
      m.sched.spawn('A', (t) => stepper(m, t, k, (i) => void (i === 0 && (flag = true))));
      m.sched.spawn('B', (t) => stepper(m, t, k, (i) => void (i === 0 && !flag && (bug = true))));
      m.sched.spawn('C', (t) => stepper(m, t, k, () => undefined));
      return () => bug;
    },
  };
}

/**
 * d = 2: B's first action lands after A's mid-th action and before A's (mid+window)-th.
 * With window 1 exactly one schedule family hits it and PCT's rate equals its bound.
 */
export function depth2(k: number, window = 1): DepthProgram {
  const mid = Math.floor(k / 2);
  return {
    depth: 2,
    tasks: 2,
    spawn(m) {
      let progress = 0;
      let bug = false;
      m.sched.spawn('A', (t) => stepper(m, t, k, () => void progress++));
      m.sched.spawn('B', (t) => stepper(m, t, k, (i) => void (i === 0 && progress >= mid && progress < mid + window && (bug = true))));
      return () => bug;
    },
  };
}

/**
 * d = 3: B's first action sees A between its mid-th and (mid+window)-th actions, and
 * B's second action sees A finished: A must be stopped there, then B after one action.
 */
export function depth3(k: number, window = 1): DepthProgram {
  const mid = Math.floor(k / 2);
  return {
    depth: 3,
    tasks: 2,
    spawn(m) {
      let progress = 0;
      let first = -1;
      let second = -1;
      m.sched.spawn('A', (t) => stepper(m, t, k, () => void progress++));
      m.sched.spawn('B', (t) =>
        stepper(m, t, k, (i) => {
          if (i === 0) first = progress;
          if (i === 1) second = progress;
        }),
      );
      return () => first >= mid && first < mid + window && second === k;
    },
  };
}

/*
 * Long threads: bugs that need one task to run many steps in a row. Random must pick
 * that task again and again, so its rate falls like 2^-k; PCT needs only the right
 * priorities and d - 1 change points, so its rate stays near 1/(n·k^(d-1)).
 */

/**
 * d = 1, long threads: B's first action sees all `k` of A's actions done (B reads what
 * A publishes last). PCT hits it when A's priority is above B's (1/2); an idle third
 * task C makes n = 3, so that is 1.5× the bound 1/3. Random must pick A k + 1 times
 * before B's second pick: (k + 3) / 2^(k+2).
 */
export function afterAll(k: number): DepthProgram {
  return {
    depth: 1,
    tasks: 3,
    randomRate: (k + 3) / 2 ** (k + 2),
    spawn(m) {
      let progress = 0;
      let seen = -1;
      m.sched.spawn('A', (t) => stepper(m, t, k, () => void progress++));
      m.sched.spawn('B', (t) => stepper(m, t, k, (i) => void (i === 0 && (seen = progress))));
      m.sched.spawn('C', (t) => stepper(m, t, k, () => undefined));
      return () => seen === k;
    },
  };
}

/**
 * d = 2, long threads: all `k` of B's actions run inside one gap between two of A's
 * actions — A stopped after its mid-th (or, with window 2, its (mid+1)-th) action, B
 * from its first action to its last, then A again: B's whole pass sees one value of
 * A's progress, in [mid, mid + window). PCT hits it with A's priority above B's and
 * the change point at one of A's `window` right steps: window/(2·steps), twice the
 * bound with the default window 2. Random must land B's first action in the gap (about
 * 2^-mid) and then pick B k - 1 times running.
 */
export function insideGap(k: number, window = 2): DepthProgram {
  const mid = Math.floor(k / 2);
  let rate = 0;
  // B's second pick (its first action) right after A's (p+1)-th pick: (p+2)/2^(p+3); then k - 1 B picks.
  for (let p = mid; p < mid + window && p < k; p++) rate += (p + 2) / 2 ** (p + 3);
  return {
    depth: 2,
    tasks: 2,
    randomRate: rate / 2 ** (k - 1),
    spawn(m) {
      let progress = 0;
      let first = -1;
      let last = -1;
      m.sched.spawn('A', (t) => stepper(m, t, k, () => void progress++));
      m.sched.spawn('B', (t) =>
        stepper(m, t, k, (i) => {
          if (i === 0) first = progress;
          if (i === k - 1) last = progress;
        }),
      );
      return () => first === last && first >= mid && first < mid + window;
    },
  };
}

/** Scheduling points in one run of `program` (the same for every schedule). */
export async function stepsOf(program: DepthProgram): Promise<number> {
  const m = new Kernel({ seed: 1, schedule: { strategy: 'random', preempt: ['yield'] } });
  program.spawn(m);
  return (await m.sched.run()).steps;
}

/** Fraction of `runs` seeded runs (seeds 1..runs) in which the bug manifested. */
export async function hitRate(program: DepthProgram, schedule: ScheduleOptions, runs: number): Promise<number> {
  let hits = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const m = new Kernel({ seed, schedule });
    const manifested = program.spawn(m);
    const result = await m.sched.run();
    if (!result.ok) throw new Error(`seed ${seed}: unexpected violations ${result.violations.map((v) => v.message).join('; ')}`);
    if (manifested()) hits++;
  }
  return hits / runs;
}

/** PCT's guaranteed per-run probability for a depth-d bug: 1/(n·k^(d-1)). */
export function pctBound(n: number, k: number, d: number): number {
  return 1 / (n * k ** (d - 1));
}
