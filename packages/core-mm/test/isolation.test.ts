/**
 * Two machines in one process share nothing: lock classes, the lock-order graph,
 * reports, clocks, RCU and runs are per machine (no module-level state).
 */
import { describe, expect, it } from 'vitest';
import { Machine, Mutex, SpinLock, isSmmuError, type Task } from '../src/index.js';

function sync(result: void | Promise<void>): void {
  expect(result).toBeUndefined();
}

function order(first: Mutex, second: Mutex, t: Task): void {
  sync(first.lock(t));
  sync(second.lock(t));
  sync(second.unlock(t));
  sync(first.unlock(t));
}

describe('isolation between machines', () => {
  it('locks of the same name in two machines have distinct classes', () => {
    const m1 = new Machine();
    const m2 = new Machine();
    const a1 = new Mutex(m1, 'A');
    const a2 = new Mutex(m2, 'A');
    expect(a1.lockClass).not.toBe(a2.lockClass);
    expect(a1.lockClass.name).toBe('A');
    expect(a2.lockClass.name).toBe('A');
    // Within one machine, the same name is the same class.
    expect(new Mutex(m1, 'A').lockClass).toBe(a1.lockClass);
    // A name's type is per machine: 'X' may be a mutex in one and a spinlock in the other.
    new Mutex(m1, 'X');
    expect(() => new SpinLock(m2, 'X')).not.toThrow();
    let error: unknown = null;
    try {
      new SpinLock(m1, 'X');
    } catch (e) {
      error = e;
    }
    expect(isSmmuError(error, 'EINVAL')).toBe(true);
  });

  it('A -> B learnt in one machine and B -> A in the other is no inversion in either', () => {
    const m1 = new Machine();
    const m2 = new Machine();
    const a1 = new Mutex(m1, 'A');
    const b1 = new Mutex(m1, 'B');
    const a2 = new Mutex(m2, 'A');
    const b2 = new Mutex(m2, 'B');
    order(a1, b1, m1.task('t'));
    order(b2, a2, m2.task('t'));
    expect(m1.report.violations).toEqual([]);
    expect(m2.report.violations).toEqual([]);
    // The same pair inside one machine is reported: the graph is really per machine.
    order(b1, a1, m1.task('u'));
    expect(m1.report.violations.map((v) => v.kind)).toEqual(['lock-inversion']);
    expect(m2.report.violations).toEqual([]);
  });

  it('lockdep.classCount is per machine', () => {
    const m1 = new Machine();
    const m2 = new Machine();
    const base1 = m1.lockdep.classCount; // rcu_read_lock, fs_reclaim
    const base2 = m2.lockdep.classCount;
    expect(base1).toBe(base2);
    new Mutex(m1, 'A');
    new Mutex(m1, 'B');
    new SpinLock(m1, 'C');
    expect(m1.lockdep.classCount).toBe(base1 + 3);
    expect(m2.lockdep.classCount).toBe(base2);
    new Mutex(m2, 'A');
    expect(m2.lockdep.classCount).toBe(base2 + 1);
    expect(m1.lockdep.classCount).toBe(base1 + 3);
    // A nested subclass is one more class, in its own machine only.
    const t = m1.task('t');
    const a = new Mutex(m1, 'A');
    sync(a.lockNested(t, 1));
    sync(a.unlock(t));
    expect(m1.lockdep.classCount).toBe(base1 + 4);
    expect(m2.lockdep.classCount).toBe(base2 + 1);
  });

  it('reports, clocks and RCU state are per machine', () => {
    const m1 = new Machine();
    const m2 = new Machine();
    const s1 = new SpinLock(m1, 's');
    const mu1 = new Mutex(m1, 'mu');
    const mu2 = new Mutex(m2, 'mu');
    const t1 = m1.task('t');
    const t2 = m2.task('t');
    sync(s1.lock(t1));
    sync(mu1.lock(t1)); // might-sleep in m1 only
    sync(mu2.lock(t2));
    expect(m1.report.violations.map((v) => v.kind)).toEqual(['might-sleep']);
    expect(m2.report.violations).toEqual([]);
    expect(m1.report).not.toBe(m2.report);
    sync(m1.sched.sleep(m1.task('sleeper'), 500));
    expect(m1.clock.now).toBe(500);
    expect(m2.clock.now).toBe(0);
    m1.rcu.readLock(t1);
    expect(m1.rcu.readers).toBe(1);
    expect(m2.rcu.readers).toBe(0);
    m1.rcu.readUnlock(t1);
    expect(m1.report.violations).toHaveLength(1);
    expect(m2.report.violations).toEqual([]);
    // Task ids are per machine as well.
    expect(t1.id).toBe(t2.id);
  });

  it('two runs proceed concurrently with their own results', async () => {
    const m1 = new Machine({ seed: 11, schedule: { strategy: 'random' } });
    const m2 = new Machine({ seed: 11, schedule: { strategy: 'random' } });
    const a1 = new SpinLock(m1, 'A');
    const b1 = new SpinLock(m1, 'B');
    const a2 = new SpinLock(m2, 'A');
    const b2 = new SpinLock(m2, 'B');
    const mu1 = new Mutex(m1, 'counter');
    const mu2 = new Mutex(m2, 'counter');
    const counts = [0, 0];
    const interleaving: string[] = [];
    const counter = (m: Machine, mu: Mutex, i: number) => async (t: Task) => {
      for (let k = 0; k < 5; k++) {
        await mu.lock(t);
        const c = counts[i]!;
        interleaving.push(`m${i + 1}`);
        await m.sched.yield(t);
        counts[i] = c + 1;
        await mu.unlock(t);
      }
    };
    for (let j = 0; j < 3; j++) {
      m1.sched.spawn(`c${j}`, counter(m1, mu1, 0));
      m2.sched.spawn(`c${j}`, counter(m2, mu2, 1));
    }
    // Machine 1 learns A -> B and B -> A (an inversion, serialised so it cannot deadlock);
    // machine 2 only A -> B.
    m1.sched.spawn('ab', async (t) => {
      await a1.lock(t);
      await b1.lock(t);
      await b1.unlock(t);
      await a1.unlock(t);
    });
    m1.sched.spawn('ba', async (t) => {
      // Wait until 'ab' has finished so the run never deadlocks.
      while (m1.sched.allTasks.find((x) => x.name === 'ab')!.state !== 'done') await m1.sched.yield(t);
      await b1.lock(t);
      await a1.lock(t);
      await a1.unlock(t);
      await b1.unlock(t);
    });
    m2.sched.spawn('ab', async (t) => {
      await a2.lock(t);
      await b2.lock(t);
      await b2.unlock(t);
      await a2.unlock(t);
    });
    const [r1, r2] = await Promise.all([m1.sched.run(), m2.sched.run()]);
    expect(r1.aborted).toBe(false);
    expect(r2.aborted).toBe(false);
    expect(r1.violations.map((v) => v.kind)).toEqual(['lock-inversion']);
    expect(r1.violations[0]!.task).toBe('ba');
    expect(r2.violations).toEqual([]);
    expect(r2.ok).toBe(true);
    expect(m2.report.violations).toEqual([]);
    expect(counts).toEqual([15, 15]);
    // Both runs really were in progress together: their steps interleaved.
    const firstM2 = interleaving.indexOf('m2');
    const lastM1 = interleaving.lastIndexOf('m1');
    expect(firstM2).toBeGreaterThanOrEqual(0);
    expect(firstM2).toBeLessThan(lastM1);
    expect(r1.token).not.toBe(r2.token);
  });

  it('a run on one machine does not make the other busy, and an abort stays local', async () => {
    const m1 = new Machine();
    const m2 = new Machine();
    const mu = new Mutex(m1, 'mu');
    m1.sched.spawn('self-deadlock', async (t) => {
      await mu.lock(t);
      await mu.lock(t);
    });
    m2.sched.spawn('fine', () => undefined);
    const p1 = m1.sched.run();
    expect(m1.sched.running).toBe(true);
    expect(m2.sched.running).toBe(false);
    const r2 = await m2.sched.run();
    const r1 = await p1;
    expect(r1.aborted).toBe(true);
    expect(r1.violations.map((v) => v.kind)).toEqual(['lock-recursion', 'deadlock']);
    expect(r2.aborted).toBe(false);
    expect(r2.ok).toBe(true);
    // m1 is done for; m2 can run again.
    expect(() => m1.sched.spawn('x', () => undefined)).toThrow(/aborted/);
    m2.sched.spawn('again', () => undefined);
    const r3 = await m2.sched.run();
    expect(r3.ok).toBe(true);
  });
});
