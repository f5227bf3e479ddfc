import { afterEach, describe, expect, it, vi } from 'vitest';
import { Completion, isSmmuError, Kernel, Mutex, SpinLock, WaitQueue } from '../../src/index.js';
import { armedWatchdogs } from '../../src/kernel/sched/watchdog.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('fifo fast path', () => {
  it('code that does not block returns no Promise', () => {
    const m = new Kernel();
    const t = m.task('cpu0');
    const spin = new SpinLock(m, 'ptl');
    const mu = new Mutex(m, 'mmap_lock');
    expect(mu.lock(t)).toBeUndefined();
    expect(spin.lock(t)).toBeUndefined();
    expect(t.preemptCount).toBe(1);
    expect(spin.unlock(t)).toBeUndefined();
    expect(mu.unlock(t)).toBeUndefined();
    expect(m.sched.yield(t)).toBeUndefined();
    expect(m.report.violations).toEqual([]);
  });

  it('fifo runs each task to its first block, in spawn order', async () => {
    const m = new Kernel({ schedule: { trace: true } });
    const order: string[] = [];
    const done = new Completion(m, 'done');
    m.sched.spawn('waiter', async (t) => {
      order.push('waiter:start');
      await done.wait(t);
      order.push('waiter:end');
    });
    m.sched.spawn('signaller', (t) => {
      order.push('signaller');
      void m.sched.yield(t); // fifo: no switch at a yield
      order.push('signaller:after-yield');
      done.complete();
    });
    const r = await m.sched.run();
    expect(r.ok).toBe(true);
    expect(order).toEqual(['waiter:start', 'signaller', 'signaller:after-yield', 'waiter:end']);
  });
});

describe('deadlock, livelock, errors', () => {
  it('an AB-BA deadlock is reported with its wait-for cycle, never a hang', async () => {
    const m = new Kernel();
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    m.sched.spawn('t1', async (t) => {
      await a.lock(t);
      await m.sched.sleep(t, 10);
      await b.lock(t);
    });
    m.sched.spawn('t2', async (t) => {
      await b.lock(t);
      await m.sched.sleep(t, 5);
      await a.lock(t);
    });
    const r = await m.sched.run();
    expect(r.aborted).toBe(true);
    const deadlock = r.violations.find((v) => v.kind === 'deadlock')!;
    expect(deadlock.details!.join('\n')).toMatch(/t2 waits for mutex A held by t1/);
    expect(deadlock.details!.join('\n')).toMatch(/t1 waits for mutex B held by t2/);
    expect(r.violations.some((v) => v.kind === 'lock-inversion')).toBe(true);
    expect(r.time).toBe(10);
  });

  it('a wait nobody will signal is a deadlock without a cycle', async () => {
    const m = new Kernel();
    const never = new Completion(m, 'never');
    m.sched.spawn('waiter', (t) => never.wait(t));
    const r = await m.sched.run();
    expect(r.violations.map((v) => v.kind)).toEqual(['deadlock']);
    expect(r.violations[0]!.details!.join('\n')).toMatch(/waiter waits for completion never/);
  });

  it('the step bound reports a livelock', async () => {
    const m = new Kernel({ schedule: { strategy: 'random', maxSteps: 500 } });
    for (const name of ['spinner0', 'spinner1']) {
      m.sched.spawn(name, async (t) => {
        for (;;) await m.sched.yield(t);
      });
    }
    const r = await m.sched.run();
    expect(r.aborted).toBe(true);
    expect(r.violations.map((v) => v.kind)).toEqual(['livelock']);
    expect(r.violations[0]!.message).toContain('500');
  });

  it('a throwing task is an oops; the others go on', async () => {
    const m = new Kernel();
    let other = false;
    m.sched.spawn('bad', () => {
      throw new Error('BUG_ON');
    });
    m.sched.spawn('good', () => {
      other = true;
    });
    const r = await m.sched.run();
    expect(other).toBe(true);
    expect(r.violations.map((v) => [v.kind, v.task])).toEqual([['task-error', 'bad']]);
    expect(r.violations[0]!.message).toContain('BUG_ON');
  });

  it('blocking outside a run is EDEADLK naming the lock', () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'dev_lock');
    expect(mu.lock(m.task('owner'))).toBeUndefined();
    let caught: unknown;
    try {
      void mu.lock(m.task('other'));
    } catch (e) {
      caught = e;
    }
    expect(isSmmuError(caught, 'EDEADLK')).toBe(true);
    expect((caught as Error).message).toContain('mutex dev_lock');
  });

  it('bad options are EINVAL naming the value', () => {
    const bad: [() => unknown, string][] = [
      [() => new Kernel({ seed: 1.5 }), '1.5'],
      [() => new Kernel({ schedule: { strategy: 'pct', depth: 0 } }), 'depth'],
      [() => new Kernel({ schedule: { strategy: 'random', preempt: ['nap' as never] } }), 'nap'],
      [() => new Kernel({ schedule: { strategy: 'lottery' as never } }), 'lottery'],
      [() => new Kernel({ schedule: { maxSteps: -1 } }), '-1'],
      [() => m0.sched.sleep(m0.task('x'), -5), '-5'],
    ];
    const m0 = new Kernel();
    for (const [make, named] of bad) {
      let caught: unknown;
      try {
        make();
      } catch (e) {
        caught = e;
      }
      expect(isSmmuError(caught, 'EINVAL'), named).toBe(true);
      expect((caught as Error).message).toContain(named);
    }
  });

  it('a second concurrent run on one machine is EBUSY', async () => {
    const m = new Kernel();
    m.sched.spawn('t', (t) => m.sched.sleep(t, 1));
    const first = m.sched.run();
    await expect(m.sched.run()).rejects.toMatchObject({ code: 'EBUSY' });
    expect((await first).ok).toBe(true);
  });
});

describe('misuse and starvation', () => {
  it('a body that drops a Promise the model returned is stopped, not run twice', async () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    m.sched.spawn('holder', async (t) => {
      await mu.lock(t);
      await m.sched.sleep(t, 10);
      await mu.unlock(t);
    });
    m.sched.spawn('leaky', (t) => {
      void mu.lock(t); // blocks, but the body returns at once
    });
    const r = await m.sched.run();
    expect(r.aborted).toBe(true);
    expect(r.violations.map((v) => v.kind)).toEqual(['task-error']);
    expect(r.violations[0]!.message).toMatch(/leaky ended while suspended \(blocked on mutex mu\)/);
  });

  it('a sleeper wakes on time while other tasks keep running', async () => {
    const m = new Kernel({ seed: 1, schedule: { strategy: 'random', preempt: ['yield'], maxSteps: 5000 } });
    let fired = false;
    m.sched.spawn('timer', async (t) => {
      await m.sched.sleep(t, 100);
      fired = true;
    });
    m.sched.spawn('poller', async (t) => {
      while (!fired) {
        m.clock.advance(10);
        await m.sched.yield(t);
      }
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(fired).toBe(true);
    expect(r.time).toBeGreaterThanOrEqual(100);
  });

  it('a strict violation on a spinlock leaves the preempt count matching the held locks', () => {
    const m = new Kernel({ strict: true });
    const a = new SpinLock(m, 'A');
    const b = new SpinLock(m, 'B');
    const t = m.task('t');
    void a.lock(t);
    void b.lock(t);
    void b.unlock(t);
    void a.unlock(t);
    void b.lock(t);
    expect(() => a.lock(t)).toThrow(/EVIOLATION/);
    expect(t.preemptCount).toBe(1);
    expect(t.describeHeld()).toEqual(['B (spinlock)']);
    expect(a.locked).toBe(false);
  });

  it('cond_resched checks might-sleep, a plain yield does not', () => {
    const m = new Kernel();
    const t = m.task('t');
    const s = new SpinLock(m, 'ptl');
    void s.lock(t);
    void m.sched.yield(t);
    expect(m.report.violations).toEqual([]);
    void m.sched.condResched(t);
    expect(m.report.violations.map((v) => v.message)).toEqual([expect.stringContaining('cond_resched()') as string]);
  });
});

describe('virtual time and daemons', () => {
  it('sleepers wake in virtual-time order and the clock jumps', async () => {
    const m = new Kernel();
    const woke: [string, number][] = [];
    for (const [name, ns] of [['slow', 300], ['fast', 100], ['mid', 200]] as const) {
      m.sched.spawn(name, async (t) => {
        await m.sched.sleep(t, ns);
        woke.push([name, m.clock.now]);
      });
    }
    const r = await m.sched.run();
    expect(woke).toEqual([['fast', 100], ['mid', 200], ['slow', 300]]);
    expect(r.time).toBe(300);
  });

  it('a daemon does not keep a run alive and carries over to the next run', async () => {
    const m = new Kernel();
    const work = new WaitQueue(m, 'kswapd_wait');
    let pending = 0;
    let handled = 0;
    m.sched.spawn(
      'kswapd',
      async (t) => {
        for (;;) {
          await work.waitEvent(t, () => pending > 0);
          pending--;
          handled++;
        }
      },
      { daemon: true },
    );
    for (let run = 1; run <= 2; run++) {
      m.sched.spawn(`user${run}`, async (t) => {
        pending++;
        work.wakeUp();
        await m.sched.sleep(t, 10);
      });
      const r = await m.sched.run();
      expect(r.ok).toBe(true);
      expect(handled).toBe(run);
    }
  });
});

describe('uncontrolled await', () => {
  it('a task awaiting a real setTimeout is reported', async () => {
    const m = new Kernel();
    m.sched.spawn('napper', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const r = await m.sched.run();
    expect(r.aborted).toBe(true);
    expect(r.violations.map((v) => [v.kind, v.task])).toEqual([['uncontrolled-await', 'napper']]);
  });

  it('is reported also when the test runner has faked the timers', async () => {
    vi.useFakeTimers();
    const m = new Kernel();
    m.sched.spawn('napper', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const r = await m.sched.run();
    expect(r.violations.map((v) => v.kind)).toEqual(['uncontrolled-await']);
  });

  it('a zero-delay real timer is caught too, whatever phase the run started in', async () => {
    const once = async (): Promise<string[]> => {
      const m = new Kernel();
      m.sched.spawn('napper', async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
      });
      return (await m.sched.run()).violations.map((v) => v.kind);
    };
    for (let i = 0; i < 20; i++) {
      expect(await once()).toEqual(['uncontrolled-await']);
      expect(await new Promise<string[]>((resolve) => setImmediate(() => void once().then(resolve)))).toEqual(['uncontrolled-await']);
    }
  });

  it('a settled run disarms its watchdog: runs awaited back to back in microtasks retain nothing', async () => {
    // Regression: an exploration awaits thousands of runs without reaching a macrotask;
    // armed timers held every machine until the loop ended (gigabytes at 10 000 runs).
    const before = armedWatchdogs();
    for (let i = 0; i < 50; i++) {
      const m = new Kernel({ seed: i, schedule: { strategy: 'random' } });
      m.sched.spawn('a', (t) => m.sched.yield(t));
      m.sched.spawn('b', (t) => m.sched.yield(t));
      await m.sched.run();
      expect(armedWatchdogs()).toBe(before);
    }
  });

  it('awaiting already-settled Promises stays inside the simulation', async () => {
    const m = new Kernel({ schedule: { strategy: 'random' } });
    const mu = new Mutex(m, 'm');
    for (const name of ['a', 'b']) {
      m.sched.spawn(name, async (t) => {
        await Promise.resolve();
        await mu.lock(t);
        await Promise.resolve(null);
        await mu.unlock(t);
      });
    }
    expect((await m.sched.run()).violations).toEqual([]);
  });
});

describe('steer (guided runs)', () => {
  /** Two tasks that log each step and yield between steps. */
  function program(m: Kernel, log: string[]): void {
    for (const name of ['a', 'b']) {
      m.sched.spawn(name, async (t) => {
        for (let i = 0; i < 3; i++) {
          log.push(`${name}${i}`);
          await m.sched.yield(t);
        }
      });
    }
  }

  it('a guide decides instead of the strategy, and the recorded token replays the guided run', async () => {
    const guided = new Kernel({ schedule: { strategy: 'random', preempt: ['yield'] } });
    const log: string[] = [];
    program(guided, log);
    // Always prefer b when it can run.
    guided.sched.steer((runnable) => runnable.find((t) => t.name === 'b') ?? runnable[0]!);
    const r = await guided.sched.run();
    expect(log).toEqual(['b0', 'b1', 'b2', 'a0', 'a1', 'a2']);
    const replayed: string[] = [];
    const again = new Kernel({ replay: r.token });
    program(again, replayed);
    const r2 = await again.sched.run();
    expect(replayed).toEqual(log);
    expect(r2.violations).toEqual([]);
  });
});
