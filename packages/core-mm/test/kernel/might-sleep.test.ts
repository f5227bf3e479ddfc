/**
 * might_sleep() (CONFIG_DEBUG_ATOMIC_SLEEP): every sleeping primitive reports
 * "sleeping function called from invalid context" when called with a spinlock held,
 * inside rcu_read_lock(), or inside a non-blockable section — and only then.
 * In the spirit of lib/locking-selftest.c: one misuse, one splat; correct code, none.
 */
import { describe, expect, it } from 'vitest';
import {
  BitLock,
  Completion,
  Kernel,
  Mutex,
  RwSemaphore,
  SpinLock,
  Srcu,
  WaitQueue,
  isSmmuError,
  type Task,
  type ViolationError,
} from '../../src/index.js';
import { caught, kinds, sync } from '../support/lock-helpers.js';

describe('might-sleep: sleeping primitives in atomic context are reported', () => {
  it('mutex_lock under a spinlock: one splat naming the mutex, the held spinlock and the test site', () => {
    const m = new Kernel();
    const s = new SpinLock(m, 'ptl');
    const mu = new Mutex(m, 'i_mmap_mutex');
    const t = m.task('t');
    sync(s.lock(t));
    sync(mu.lock(t));
    const vs = m.report.violations;
    expect(kinds(vs)).toEqual(['might-sleep']);
    const v = vs[0]!;
    expect(v.message).toContain('sleeping function called from invalid context');
    expect(v.message).toContain('mutex_lock(i_mmap_mutex)');
    expect(v.message).toContain('preempt_count 1');
    expect(v.task).toBe('t');
    expect(v.heldLocks).toEqual(['ptl (spinlock)']);
    expect(v.site).toContain('might-sleep.test.ts');
    // Execution goes on, as in the kernel: the mutex was taken.
    expect(mu.locked).toBe(true);
    sync(mu.unlock(t));
    sync(s.unlock(t));
    expect(m.report.violations).toHaveLength(1);
  });

  it('mutex_lock under a spinlock inside a run is reported the same way', async () => {
    const m = new Kernel();
    const s = new SpinLock(m, 'ptl');
    const mu = new Mutex(m, 'mu');
    m.sched.spawn('worker', async (t) => {
      await s.lock(t);
      await mu.lock(t);
      await mu.unlock(t);
      await s.unlock(t);
    });
    const r = await m.sched.run();
    expect(r.aborted).toBe(false);
    expect(kinds(r.violations)).toEqual(['might-sleep']);
    expect(r.violations[0]!.task).toBe('worker');
    expect(r.violations[0]!.message).toContain('mutex_lock(mu)');
    expect(r.violations[0]!.heldLocks).toEqual(['ptl (spinlock)']);
    expect(r.violations[0]!.site).toContain('might-sleep.test.ts');
  });

  it('mutex_lock inside rcu_read_lock() is reported', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const t = m.task('reader');
    m.rcu.readLock(t);
    sync(mu.lock(t));
    const vs = m.report.violations;
    expect(kinds(vs)).toEqual(['might-sleep']);
    expect(vs[0]!.message).toContain('sleeping function called from invalid context');
    expect(vs[0]!.message).toContain('mutex_lock(mu)');
    expect(vs[0]!.message).toContain('rcu_read_lock depth 1');
    expect(vs[0]!.heldLocks).toEqual(['rcu_read_lock (rcu, read)']);
    sync(mu.unlock(t));
    m.rcu.readUnlock(t);
    expect(m.report.violations).toHaveLength(1);
  });

  it('mutex_lock inside a non-blockable section is reported', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const t = m.task('notifier');
    t.enterNonBlock();
    sync(mu.lock(t));
    const vs = m.report.violations;
    expect(kinds(vs)).toEqual(['might-sleep']);
    expect(vs[0]!.message).toContain('mutex_lock(mu)');
    expect(vs[0]!.message).toContain('non-blockable');
    expect(vs[0]!.heldLocks).toEqual([]);
    sync(mu.unlock(t));
    t.exitNonBlock();
    // Outside the section the same call is fine.
    sync(mu.lock(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toHaveLength(1);
  });

  const primitives: [string, string, (m: Kernel, t: Task) => void][] = [
    [
      'wait_event (WaitQueue.waitEvent)',
      'wait_event(wq)',
      (m, t) => sync(new WaitQueue(m, 'wq').waitEvent(t, () => true)),
    ],
    [
      'Completion.wait',
      'wait_for_completion(done)',
      (m, t) => {
        const c = new Completion(m, 'done');
        c.complete();
        sync(c.wait(t));
      },
    ],
    [
      'RwSemaphore.downRead',
      'down_read(mmap_lock)',
      (m, t) => {
        const rw = new RwSemaphore(m, 'mmap_lock');
        sync(rw.downRead(t));
        sync(rw.upRead(t));
      },
    ],
    [
      'RwSemaphore.downWrite',
      'down_write(mmap_lock)',
      (m, t) => {
        const rw = new RwSemaphore(m, 'mmap_lock');
        sync(rw.downWrite(t));
        sync(rw.upWrite(t));
      },
    ],
    [
      'BitLock.lock',
      'lock_page(PG_locked[2])',
      (m, t) => {
        const pg = new BitLock(m, 'PG_locked', new Uint32Array(4), 0);
        sync(pg.lock(t, 2));
        sync(pg.unlock(t, 2));
      },
    ],
    ['sched.sleep', 'sleep(100 ns)', (m, t) => sync(m.sched.sleep(t, 100))],
    ['Srcu.synchronize', 'synchronize_srcu(notifier_srcu)', (m, t) => sync(new Srcu(m, 'notifier_srcu').synchronize(t))],
    ['Rcu.synchronize', 'synchronize_rcu()', (m, t) => sync(m.rcu.synchronize(t))],
  ];

  for (const [name, what, use] of primitives) {
    it(`${name} under a spinlock: exactly one splat`, () => {
      const m = new Kernel();
      const s = new SpinLock(m, 'lock');
      const t = m.task('t');
      sync(s.lock(t));
      use(m, t);
      sync(s.unlock(t));
      const vs = m.report.violations;
      expect(kinds(vs)).toEqual(['might-sleep']);
      expect(vs[0]!.message).toContain('sleeping function called from invalid context');
      expect(vs[0]!.message).toContain(what);
      expect(vs[0]!.heldLocks[0]).toBe('lock (spinlock)');
    });

    it(`${name} in a preemptible context: quiet`, () => {
      const m = new Kernel();
      const t = m.task('t');
      use(m, t);
      expect(m.report.violations).toEqual([]);
    });
  }

  it('a sleep is checked even when it would not wait (the context, not the outcome)', () => {
    const m = new Kernel();
    const s = new SpinLock(m, 's');
    const c = new Completion(m, 'c');
    const t = m.task('t');
    c.completeAll();
    sync(s.lock(t));
    sync(c.wait(t)); // would not block: still a sleeping function
    sync(s.unlock(t));
    expect(kinds(m.report.violations)).toEqual(['might-sleep']);
  });
});

describe('might-sleep: legal sequences stay quiet', () => {
  it('a contended spinlock taken under another spinlock spins, it does not sleep', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const m = new Kernel({ seed, schedule: { strategy: 'random', trace: true } });
      const outer = new SpinLock(m, 'outer');
      const inner = new SpinLock(m, 'inner');
      let spun = false;
      m.sched.spawn('holder', async (t) => {
        await inner.lock(t);
        // Keep the inner lock until the other task spins on it.
        while (waiter.state !== 'blocked' && waiter.state !== 'done') await m.sched.yield(t);
        spun = waiter.state === 'blocked' && waiter.waitingOn === inner;
        await inner.unlock(t);
      });
      const waiter = m.sched.spawn('waiter', async (t) => {
        while (!inner.locked) await m.sched.yield(t);
        await outer.lock(t);
        await inner.lock(t); // contended, with `outer` held: spin-wait, legal
        await inner.unlock(t);
        await outer.unlock(t);
      });
      const r = await m.sched.run();
      expect(r.violations, `seed ${seed}`).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.aborted).toBe(false);
      expect(spun, `seed ${seed}`).toBe(true);
      expect(r.trace.some((l) => l.endsWith('block waiter on spinlock inner')), `seed ${seed}`).toBe(true);
    }
  });

  it('trylocks under a spinlock never sleep: no report', () => {
    const m = new Kernel();
    const s = new SpinLock(m, 's');
    const mu = new Mutex(m, 'mu');
    const rwr = new RwSemaphore(m, 'rw_read');
    const rww = new RwSemaphore(m, 'rw_write');
    const pg = new BitLock(m, 'PG_locked', new Uint32Array(2), 0);
    const c = new Completion(m, 'c');
    const t = m.task('t');
    sync(s.lock(t));
    expect(mu.trylock(t)).toBe(true);
    expect(rwr.tryDownRead(t)).toBe(true);
    expect(rww.tryDownWrite(t)).toBe(true);
    expect(pg.trylock(t, 1)).toBe(true);
    expect(c.tryWait()).toBe(false);
    c.complete();
    expect(c.tryWait()).toBe(true);
    expect(t.describeHeld()).toEqual([
      's (spinlock)',
      'mu (mutex, trylock)',
      'rw_read (rwsem, read, trylock)',
      'rw_write (rwsem, trylock)',
      'PG_locked[1] (bit-lock, trylock)',
    ]);
    sync(pg.unlock(t, 1));
    sync(rww.upWrite(t));
    sync(rwr.upRead(t));
    sync(mu.unlock(t));
    sync(s.unlock(t));
    expect(m.report.violations).toEqual([]);
    expect(t.preemptCount).toBe(0);
  });

  it('sleeping inside an SRCU read section is fine', async () => {
    const m = new Kernel();
    const srcu = new Srcu(m, 'srcu');
    const mu = new Mutex(m, 'mu');
    const c = new Completion(m, 'c');
    m.sched.spawn('reader', async (t) => {
      const idx = srcu.readLock(t);
      await m.sched.sleep(t, 50);
      await mu.lock(t);
      await c.wait(t);
      await mu.unlock(t);
      srcu.readUnlock(t, idx);
    });
    m.sched.spawn('completer', () => c.complete());
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.time).toBe(50);
  });

  it('mutex -> spinlock nesting is fine', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const s = new SpinLock(m, 's');
    const t = m.task('t');
    sync(mu.lock(t));
    sync(s.lock(t));
    expect(t.atomic).toBe(true);
    sync(s.unlock(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toEqual([]);
  });

  it('after spin_unlock, mutex_lock is fine again', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const s = new SpinLock(m, 's');
    const t = m.task('t');
    sync(s.lock(t));
    sync(s.unlock(t));
    expect(t.preemptCount).toBe(0);
    expect(t.atomic).toBe(false);
    sync(mu.lock(t));
    sync(mu.unlock(t));
    // Nested spinlocks: atomic until the outermost is released.
    const s2 = new SpinLock(m, 's2');
    sync(s.lock(t));
    sync(s2.lock(t));
    sync(s2.unlock(t));
    expect(t.atomic).toBe(true);
    sync(s.unlock(t));
    sync(mu.lock(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toEqual([]);
  });

  it('after rcu_read_unlock and exitNonBlock, sleeping is fine again', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    m.rcu.readLock(t);
    m.rcu.readLock(t);
    m.rcu.readUnlock(t);
    expect(t.atomic).toBe(true);
    m.rcu.readUnlock(t);
    t.enterNonBlock();
    t.exitNonBlock();
    sync(mu.lock(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toEqual([]);
  });
});

describe('might-sleep: strict machines', () => {
  it('strict: a direct task throws EVIOLATION at the first might-sleep', () => {
    const m = new Kernel({ strict: true });
    const s = new SpinLock(m, 's');
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    sync(s.lock(t));
    const error = caught(() => mu.lock(t));
    expect(isSmmuError(error, 'EVIOLATION')).toBe(true);
    const v = (error as ViolationError).violation;
    expect(v.kind).toBe('might-sleep');
    expect(v.message).toContain('mutex_lock(mu)');
    expect((error as Error).message).toContain('sleeping function called from invalid context');
    expect(kinds(m.report.violations)).toEqual(['might-sleep']);
    expect(mu.locked).toBe(false); // stopped at the check, before taking the mutex
  });

  it('strict: correct code does not throw', () => {
    const m = new Kernel({ strict: true });
    const s = new SpinLock(m, 's');
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    sync(mu.lock(t));
    sync(s.lock(t));
    sync(s.unlock(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toEqual([]);
  });

  it('strict: a violation in a run aborts the run', async () => {
    const m = new Kernel({ strict: true });
    const s = new SpinLock(m, 's');
    const mu = new Mutex(m, 'mu');
    let after = false;
    let otherRan = false;
    m.sched.spawn('bad', async (t) => {
      await s.lock(t);
      await mu.lock(t);
      after = true;
    });
    m.sched.spawn('other', () => {
      otherRan = true;
    });
    const r = await m.sched.run();
    expect(r.aborted).toBe(true);
    expect(r.ok).toBe(false);
    expect(kinds(r.violations)).toEqual(['might-sleep']);
    expect(r.violations[0]!.task).toBe('bad');
    expect(after).toBe(false);
    expect(otherRan).toBe(false);
    expect(() => m.sched.spawn('late', () => undefined)).toThrow(/aborted/);
  });
});
