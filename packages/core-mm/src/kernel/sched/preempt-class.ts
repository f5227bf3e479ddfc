import { SmmuError } from '../errors.js';

/**
 * Classes of preemption point. A run chooses which classes may switch tasks: PCT's
 * bound falls as k^(d-1) in the number of points k, so a scenario preempts only
 * where its race lives.
 *
 * - `sleep`: a wait on an event (wait queue, completion, grace period);
 * - `spin`: acquire and release of a spinlock (a contended spinlock always yields:
 *   spinning is waiting for the holder, legal in atomic context);
 * - `lock`: acquire and release of a sleeping lock (mutex, rwsem, page lock);
 * - `device`: a secondary MMU's access to memory through its translation;
 * - `yield`: an explicit `sched.yield()` in a program;
 * - `held`: inside a spinlock or mutex section — right after the lock is acquired and
 *   right before it is released — so another task can find the lock held (its trylock
 *   fails, a `lock` spins or sleeps). Being switched out there models another CPU
 *   running, not a sleep: might-sleep and atomic-context checks do not change. Off
 *   unless listed (see {@link DEFAULT_PREEMPT_CLASSES}).
 */
export type PreemptClass = 'sleep' | 'spin' | 'lock' | 'device' | 'yield' | 'held';

/** Every class, in a fixed order (the order of the bits in a mask). */
export const PREEMPT_CLASSES: readonly PreemptClass[] = ['sleep', 'spin', 'lock', 'device', 'yield', 'held'];

/**
 * The classes a `random` or `pct` run enables when it names none: every class but
 * `held`, which came later — enabling it by default would change the schedules (and so
 * the verdicts) of runs recorded before it existed. Kernel counterpart: none.
 */
export const DEFAULT_PREEMPT_CLASSES: readonly PreemptClass[] = ['sleep', 'spin', 'lock', 'device', 'yield'];

/** The mask for a list of classes; an unknown name is `EINVAL`. */
export function preemptMask(classes: readonly string[]): number {
  let mask = 0;
  for (const c of classes) {
    const i = PREEMPT_CLASSES.indexOf(c as PreemptClass);
    if (i < 0) throw new SmmuError('EINVAL', `unknown preemption class "${c}" (expected one of ${PREEMPT_CLASSES.join(', ')})`);
    mask |= 1 << i;
  }
  return mask;
}

/** The classes in a mask, in canonical order. */
export function preemptClasses(mask: number): PreemptClass[] {
  return PREEMPT_CLASSES.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** Bit per class, for the hot path (no search). */
export const PREEMPT_BIT: Readonly<Record<PreemptClass, number>> = {
  sleep: 1,
  spin: 2,
  lock: 4,
  device: 8,
  yield: 16,
  held: 32,
};
