import { Kernel, Mutex, type KernelOptions } from '../../src/index.js';

/**
 * A racy counter: three tasks each add to a shared counter twice, once under a
 * mutex (safe) and once without (read, yield, write: a lost update). The task that
 * finds the counter wrong at the end oopses, so a failing schedule is a
 * `task-error` violation. `extraYield` changes the program (for divergence tests).
 */
export function racyCounter(options: KernelOptions, extraYield = false): Kernel {
  const m = new Kernel({ ...options, program: extraYield ? 'racy-counter+yield' : 'racy-counter' });
  const mu = new Mutex(m, 'counter_lock');
  let counter = 0;
  let finished = 0;
  for (const name of ['cpu0', 'cpu1', 'cpu2']) {
    m.sched.spawn(name, async (t) => {
      if (extraYield && name === 'cpu0') await m.sched.yield(t);
      await mu.lock(t);
      const locked = counter;
      await m.sched.yield(t);
      counter = locked + 1;
      await mu.unlock(t);
      const racy = counter;
      await m.sched.yield(t);
      counter = racy + 1;
      if (++finished === 3 && counter !== 6) throw new Error(`lost update: counter is ${counter}, expected 6`);
    });
  }
  return m;
}
