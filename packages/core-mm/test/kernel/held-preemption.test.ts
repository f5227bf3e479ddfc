/**
 * The `held` preemption class: points right after a spinlock or mutex is acquired and
 * right before it is released, so another task can find the lock held (its trylock
 * fails). A switch there is another CPU running, not a sleep: the context checks,
 * spinning and lockdep's order graph are as without it. Off unless listed.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PREEMPT_CLASSES,
  Kernel,
  Mutex,
  PREEMPT_CLASSES,
  SpinLock,
  decodeReplayToken,
  localIrqSave,
  type KernelOptions,
  type PreemptClass,
  type Task,
} from '../../src/index.js';
import { kinds, sync } from '../support/lock-helpers.js';

interface Guard {
  lock(t: Task): void | Promise<void>;
  trylock(t: Task): boolean;
  unlock(t: Task): void | Promise<void>;
}

const LOCKS: [string, (k: Kernel) => Guard][] = [
  ['Mutex', (k) => new Mutex(k, 'mu')],
  ['SpinLock', (k) => new SpinLock(k, 'spin')],
];

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

/**
 * A holder runs a short critical section (lock, check, install, unlock: no preemption
 * point inside but the `held` ones); a prober's trylock runs alongside. The prober
 * starts second, so under fifo the holder has released the lock before it runs.
 * `holderTakes: 'trylock'` leaves only the point before the release.
 */
async function probe(seed: number, schedule: KernelOptions['schedule'], make: (k: Kernel) => Guard, holderTakes: 'lock' | 'trylock' = 'lock'): Promise<{ failed: boolean; token: string; trace: readonly string[] }> {
  const k = new Kernel({ seed, schedule: { ...schedule, trace: true } });
  const lock = make(k);
  let installed = false;
  let failed = false;
  k.sched.spawn('holder', async (t) => {
    if (holderTakes === 'lock') await lock.lock(t);
    else if (!lock.trylock(t)) return; // the prober ran first and holds it
    if (!installed) installed = true;
    await lock.unlock(t);
  });
  k.sched.spawn('prober', async (t) => {
    if (!lock.trylock(t)) failed = true;
    else await lock.unlock(t);
  });
  const r = await k.sched.run();
  expect(kinds(r.violations)).toEqual([]);
  return { failed, token: r.token, trace: r.trace };
}

/** On how many of SEEDS the prober's trylock failed. */
async function failures(schedule: KernelOptions['schedule'], make: (k: Kernel) => Guard, holderTakes: 'lock' | 'trylock' = 'lock'): Promise<number> {
  let n = 0;
  for (const seed of SEEDS) if ((await probe(seed, schedule, make, holderTakes)).failed) n++;
  return n;
}

describe.each(LOCKS)('%s: a trylock fails only where the holder can be switched out', (_, make) => {
  it('random with `held`: some seeds find the lock held, from the point after the acquire', async () => {
    expect(await failures({ strategy: 'random', preempt: ['held'] }, make)).toBeGreaterThan(0);
  });

  it('random with `held`: the point before the release alone is enough (holder took a trylock)', async () => {
    expect(await failures({ strategy: 'random', preempt: ['held'] }, make, 'trylock')).toBeGreaterThan(0);
  });

  it('fifo (no preemption) never makes it fail', async () => {
    expect(await failures({ strategy: 'fifo' }, make)).toBe(0);
  });

  it('random with every other class never makes it fail: the section has no other point', async () => {
    expect(await failures({ strategy: 'random', preempt: DEFAULT_PREEMPT_CLASSES }, make)).toBe(0);
    expect(await failures({ strategy: 'random' }, make)).toBe(0);
  });

  it('is deterministic: same seed, same trace; the token replays it', async () => {
    const seed = 1;
    const a = await probe(seed, { strategy: 'random', preempt: ['held'] }, make);
    const b = await probe(seed, { strategy: 'random', preempt: ['held'] }, make);
    expect(b.trace).toEqual(a.trace);
    expect(b.token).toBe(a.token);
    expect(decodeReplayToken(a.token).preempt).toEqual(['held']);
    const k = new Kernel({ seed, replay: a.token, schedule: { trace: true } });
    const lock = make(k);
    k.sched.spawn('holder', async (t) => {
      await lock.lock(t);
      await lock.unlock(t);
    });
    k.sched.spawn('prober', async (t) => {
      if (lock.trylock(t)) await lock.unlock(t);
    });
    const c = await k.sched.run();
    expect(kinds(c.violations)).toEqual([]);
    expect(c.trace.filter((l) => l.includes('switch'))).toEqual(a.trace.filter((l) => l.includes('switch')));
  });
});

describe('the class is off unless listed', () => {
  it('is a known class, but not a default one', () => {
    expect(PREEMPT_CLASSES).toContain('held');
    expect(DEFAULT_PREEMPT_CLASSES).not.toContain('held');
    expect(PREEMPT_CLASSES.filter((c) => c !== 'held')).toEqual(DEFAULT_PREEMPT_CLASSES);
  });

  it('a random run naming no classes records the classes it had before', async () => {
    const k = new Kernel({ seed: 3, schedule: { strategy: 'random' } });
    k.sched.spawn('a', () => undefined);
    const r = await k.sched.run();
    expect(decodeReplayToken(r.token).preempt).toEqual<PreemptClass[]>(['sleep', 'spin', 'lock', 'device', 'yield']);
  });

  it('direct tasks and runs without the class: lock and unlock stay synchronous', () => {
    const k = new Kernel({ seed: 1, schedule: { strategy: 'random', preempt: ['held'] } });
    const t = k.task('direct');
    for (const [, make] of LOCKS) {
      const lock = make(k);
      sync(lock.lock(t));
      sync(lock.unlock(t));
    }
  });
});

describe('a switch inside a section is not a sleep', () => {
  it('a spinlock holder switched out: still atomic, no might-sleep; the waiter spins and gets the lock after', async () => {
    const k = new Kernel({ seed: 1, schedule: { strategy: 'random', preempt: ['held'] } });
    const spin = new SpinLock(k, 'spin');
    const order: string[] = [];
    let holderSeen: { atomic: boolean; preemptCount: number } | null = null;
    // Steer: at the holder's first `held` point, run the waiter.
    let steered = false;
    k.sched.steer((runnable, current) => {
      if (!steered && current?.name === 'holder' && spin.locked) {
        const w = runnable.find((x) => x.name === 'waiter');
        if (w !== undefined) {
          steered = true;
          return w;
        }
      }
      return runnable[0]!;
    });
    const holder = k.sched.spawn('holder', async (t) => {
      await spin.lock(t);
      order.push('holder in');
      await spin.unlock(t);
      order.push('holder out');
    });
    k.sched.spawn('waiter', async (t) => {
      holderSeen = { atomic: holder.atomic, preemptCount: holder.preemptCount };
      expect(spin.trylock(t)).toBe(false);
      await spin.lock(t);
      order.push('waiter in');
      await spin.unlock(t);
    });
    const r = await k.sched.run();
    expect(kinds(r.violations)).toEqual([]);
    expect(steered).toBe(true);
    expect(holderSeen).toEqual({ atomic: true, preemptCount: 1 });
    expect(order.indexOf('holder in')).toBeLessThan(order.indexOf('waiter in'));
  });

  it('sleeping under a spinlock is still reported, with or without the class', async () => {
    for (const preempt of [['held'], ['spin']] as const) {
      const k = new Kernel({ seed: 2, schedule: { strategy: 'random', preempt } });
      const spin = new SpinLock(k, 'spin');
      const mu = new Mutex(k, 'mu');
      k.sched.spawn('bad', async (t) => {
        await spin.lock(t);
        await mu.lock(t);
        await mu.unlock(t);
        await spin.unlock(t);
      });
      const r = await k.sched.run();
      expect(kinds(r.violations)).toEqual(['might-sleep']);
    }
  });

  it('unlockIrqrestore: interrupts stay off until the lock is released', async () => {
    const k = new Kernel({ seed: 1, schedule: { strategy: 'random', preempt: ['held'] } });
    const spin = new SpinLock(k, 'spin');
    const seen: string[] = [];
    k.sched.steer((runnable, current) => (current?.name === 'holder' ? (runnable.find((x) => x.name === 'looker') ?? runnable[0]!) : runnable[0]!));
    const holder = k.sched.spawn('holder', async (t) => {
      await spin.lockIrqsave(t);
      await spin.unlockIrqrestore(t);
    });
    k.sched.spawn('looker', () => {
      seen.push(`${spin.locked ? 'locked' : 'free'} irqs-off ${holder.irqsOffDepth}`);
    });
    const r = await k.sched.run();
    expect(kinds(r.violations)).toEqual([]);
    expect(seen).toEqual(['locked irqs-off 1']);
    expect(holder.irqsOffDepth).toBe(0);
  });

  it('a bad unlock is reported and never preempted', async () => {
    const k = new Kernel({ seed: 1, schedule: { strategy: 'random', preempt: ['held'] } });
    const mu = new Mutex(k, 'mu');
    const spin = new SpinLock(k, 'spin');
    k.sched.spawn('a', (t) => {
      localIrqSave(t);
      expect(mu.unlock(t)).toBeUndefined();
      expect(spin.unlockIrqrestore(t)).toBeUndefined();
    });
    const r = await k.sched.run();
    expect(kinds(r.violations)).toEqual(['bad-unlock', 'bad-unlock']);
    expect(mu.locked || spin.locked).toBe(false);
  });
});

describe("lockdep's order graph does not change", () => {
  /** Two tasks nest a spinlock in a mutex and in another spinlock; the dependencies recorded, as text. */
  async function edges(preempt: readonly PreemptClass[], seed: number): Promise<string[]> {
    const k = new Kernel({ seed, schedule: { strategy: 'random', preempt } });
    const mu = new Mutex(k, 'outer_mutex');
    const a = new SpinLock(k, 'outer_spin');
    const b = new SpinLock(k, 'inner_spin');
    k.sched.spawn('one', async (t) => {
      await mu.lock(t);
      await b.lock(t);
      await b.unlock(t);
      await mu.unlock(t);
    });
    k.sched.spawn('two', async (t) => {
      await a.lock(t);
      await b.lock(t);
      await b.unlock(t);
      await a.unlock(t);
    });
    const r = await k.sched.run();
    expect(kinds(r.violations)).toEqual([]);
    return k.lockdep
      .edges()
      .map((e) => `${e.from.name} -> ${e.to.name}`)
      .sort();
  }

  it('the same dependencies with `held` as without, on every seed', async () => {
    const without = await edges(['yield'], 1);
    expect(without).toEqual(['outer_mutex -> inner_spin', 'outer_spin -> inner_spin']);
    for (const seed of SEEDS.slice(0, 10)) expect(await edges(['held'], seed)).toEqual(without);
  });
});
