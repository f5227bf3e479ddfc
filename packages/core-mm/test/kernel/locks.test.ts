/**
 * Semantics of the lock primitives under the scheduler: mutual exclusion, rwsem
 * sharing and fairness, completions, wait queues, grace periods, page (bit) locks,
 * the virtual clock, and the synchronous fast path on direct tasks.
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
} from '../../src/index.js';
import { caught, sync } from '../support/lock-helpers.js';

interface Guard {
  lock(t: Task): void | Promise<void>;
  unlock(t: Task): void | Promise<void>;
}

const TASKS = 4;
const ROUNDS = 3;

/** TASKS tasks increment a counter ROUNDS times each: read, yield, write. */
async function counterRun(seed: number, makeGuard: (m: Kernel) => Guard | null): Promise<{ count: number; ok: boolean; violations: string[] }> {
  const m = new Kernel({ seed, schedule: { strategy: 'random' } });
  const guard = makeGuard(m);
  let count = 0;
  for (let i = 0; i < TASKS; i++) {
    m.sched.spawn(`inc${i}`, async (t) => {
      for (let k = 0; k < ROUNDS; k++) {
        if (guard !== null) await guard.lock(t);
        const seen = count;
        await m.sched.yield(t);
        count = seen + 1;
        if (guard !== null) await guard.unlock(t);
      }
    });
  }
  const r = await m.sched.run();
  return { count, ok: r.ok, violations: r.violations.map((v) => `${v.kind}: ${v.message}`) };
}

describe('mutual exclusion under random schedules', () => {
  const guards: [string, (m: Kernel) => Guard][] = [
    ['Mutex', (m) => new Mutex(m, 'mu')],
    ['SpinLock', (m) => new SpinLock(m, 'spin')],
    [
      'RwSemaphore (write)',
      (m) => {
        const rw = new RwSemaphore(m, 'rw');
        return { lock: (t) => rw.downWrite(t), unlock: (t) => rw.upWrite(t) };
      },
    ],
  ];

  for (const [name, make] of guards) {
    it(`${name}: no lost update over 20 seeds`, async () => {
      for (let seed = 1; seed <= 20; seed++) {
        const { count, ok, violations } = await counterRun(seed, make);
        expect(violations, `seed ${seed}`).toEqual([]);
        expect(ok).toBe(true);
        expect(count, `seed ${seed}`).toBe(TASKS * ROUNDS);
      }
    });
  }

  it('without a lock, some seed loses an update (the test can fail)', async () => {
    const counts: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const { count, ok } = await counterRun(seed, () => null);
      expect(ok).toBe(true);
      counts.push(count);
    }
    expect(counts.some((c) => c < TASKS * ROUNDS)).toBe(true);
    expect(counts.every((c) => c <= TASKS * ROUNDS)).toBe(true);
  });
});

describe('rw_semaphore', () => {
  it('two readers are inside at once', async () => {
    const m = new Kernel();
    const rw = new RwSemaphore(m, 'rw');
    const go = new Completion(m, 'go');
    const seen: number[] = [];
    m.sched.spawn('r1', async (t) => {
      await rw.downRead(t);
      seen.push(rw.readerCount);
      await go.wait(t); // sleeps while reading: r2 runs
      await rw.upRead(t);
    });
    m.sched.spawn('r2', async (t) => {
      await rw.downRead(t);
      seen.push(rw.readerCount);
      expect(rw.writeLocked).toBe(false);
      go.complete();
      await rw.upRead(t);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(seen).toEqual([1, 2]);
    expect(rw.readerCount).toBe(0);
  });

  it('a writer is excluded while a reader is inside', async () => {
    const m = new Kernel();
    const rw = new RwSemaphore(m, 'rw');
    const go = new Completion(m, 'go');
    const log: string[] = [];
    m.sched.spawn('reader', async (t) => {
      await rw.downRead(t);
      log.push('reader in');
      await go.wait(t);
      log.push('reader out');
      await rw.upRead(t);
    });
    const writer = m.sched.spawn('writer', async (t) => {
      await rw.downWrite(t);
      log.push(`writer in (readers ${rw.readerCount})`);
      await rw.upWrite(t);
    });
    m.sched.spawn('ctl', () => {
      log.push(`ctl: writer ${writer.state}, writeLocked ${rw.writeLocked}, readers ${rw.readerCount}`);
      go.complete();
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['reader in', 'ctl: writer blocked, writeLocked false, readers 1', 'reader out', 'writer in (readers 0)']);
  });

  it('a reader queues behind a waiting writer (fairness), and tryDownRead fails then', async () => {
    const m = new Kernel();
    const rw = new RwSemaphore(m, 'rw');
    const go = new Completion(m, 'go');
    const log: string[] = [];
    m.sched.spawn('r1', async (t) => {
      await rw.downRead(t);
      log.push('r1 in');
      await go.wait(t);
      log.push('r1 out');
      await rw.upRead(t);
    });
    const w = m.sched.spawn('w', async (t) => {
      await rw.downWrite(t);
      log.push('w in');
      await rw.upWrite(t);
      log.push('w out');
    });
    const r2 = m.sched.spawn('r2', async (t) => {
      await rw.downRead(t);
      log.push(`r2 in (writeLocked ${rw.writeLocked})`);
      await rw.upRead(t);
    });
    m.sched.spawn('ctl', (t) => {
      log.push(`ctl: w ${w.state}, r2 ${r2.state}, readers ${rw.readerCount}, tryDownRead ${rw.tryDownRead(t)}`);
      go.complete();
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual([
      'r1 in',
      // r2 is blocked although only a reader holds the semaphore: a writer waits first.
      'ctl: w blocked, r2 blocked, readers 1, tryDownRead false',
      'r1 out',
      'w in',
      'w out',
      'r2 in (writeLocked false)',
    ]);
  });

  it('downgrade lets queued readers in while the downgrader still reads', async () => {
    const m = new Kernel();
    const rw = new RwSemaphore(m, 'mmap_lock');
    const go = new Completion(m, 'go');
    const readersIn = new Completion(m, 'readers-in');
    const log: string[] = [];
    m.sched.spawn('munmap', async (t) => {
      await rw.downWrite(t);
      await go.wait(t);
      rw.downgrade(t);
      log.push(`downgraded: writeLocked ${rw.writeLocked}, readers ${rw.readerCount}, held ${t.describeHeld().join(';')}`);
      await readersIn.wait(t);
      log.push('munmap up_read');
      await rw.upRead(t);
    });
    const holders: string[][] = [];
    for (const name of ['r1', 'r2']) {
      m.sched.spawn(name, async (t) => {
        await rw.downRead(t);
        holders.push(rw.holders().map((h) => h.name));
        log.push(`${name} in`);
        if (name === 'r2') readersIn.complete();
        await rw.upRead(t);
      });
    }
    m.sched.spawn('ctl', () => {
      log.push(`ctl: readers ${rw.readerCount}, writeLocked ${rw.writeLocked}`);
      go.complete();
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual([
      'ctl: readers 0, writeLocked true',
      'downgraded: writeLocked false, readers 3, held mmap_lock (rwsem, read)',
      'r1 in',
      'r2 in',
      'munmap up_read',
    ]);
    // The downgrader was still a reader while r1 and r2 were inside.
    expect(holders[0]).toContain('munmap');
    expect(holders[1]).toContain('munmap');
    expect(rw.readerCount).toBe(0);
    expect(rw.writeLocked).toBe(false);
  });

  it('trylocks: tryDownWrite fails while read-held; tryDownRead fails while write-held', () => {
    const m = new Kernel();
    const rw = new RwSemaphore(m, 'rw');
    const a = m.task('a');
    const b = m.task('b');
    sync(rw.downRead(a));
    expect(rw.tryDownWrite(b)).toBe(false);
    expect(rw.tryDownRead(b)).toBe(true);
    expect(rw.readerCount).toBe(2);
    sync(rw.upRead(b));
    sync(rw.upRead(a));
    expect(rw.tryDownWrite(b)).toBe(true);
    expect(rw.writeLocked).toBe(true);
    expect(rw.tryDownRead(a)).toBe(false);
    expect(rw.tryDownWrite(a)).toBe(false);
    sync(rw.upWrite(b));
    expect(rw.writeLocked).toBe(false);
    expect(m.report.violations).toEqual([]);
  });
});

describe('completion', () => {
  it('wait blocks until complete(); the completer goes on running', async () => {
    const m = new Kernel();
    const c = new Completion(m, 'done');
    const log: string[] = [];
    const waiter = m.sched.spawn('waiter', async (t) => {
      log.push('waiting');
      await c.wait(t);
      log.push('woken');
    });
    m.sched.spawn('completer', () => {
      log.push(`completing (waiter ${waiter.state})`);
      c.complete();
      log.push('completed');
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['waiting', 'completing (waiter blocked)', 'completed', 'woken']);
    // The count went to the waiter, not into the bank.
    expect(c.isDone).toBe(false);
  });

  it('complete() with nobody waiting banks a count; tryWait consumes it', () => {
    const m = new Kernel();
    const c = new Completion(m, 'c');
    const t = m.task('t');
    expect(c.isDone).toBe(false);
    expect(c.tryWait()).toBe(false);
    c.complete();
    c.complete();
    expect(c.isDone).toBe(true);
    sync(c.wait(t)); // banked: no wait
    expect(c.tryWait()).toBe(true);
    expect(c.tryWait()).toBe(false);
    expect(c.isDone).toBe(false);
    expect(c.describe()).toBe('completion c');
  });

  it('completeAll() releases all current and future waiters', async () => {
    const m = new Kernel();
    const c = new Completion(m, 'all');
    const log: string[] = [];
    for (const name of ['w1', 'w2']) {
      m.sched.spawn(name, async (t) => {
        await c.wait(t);
        log.push(`${name} through`);
      });
    }
    m.sched.spawn('ctl', () => {
      log.push('completeAll');
      c.completeAll();
    });
    let lateBlocked: boolean | null = null;
    m.sched.spawn('late', async (t) => {
      const p = c.wait(t);
      lateBlocked = p !== undefined;
      await p;
      log.push('late through');
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['completeAll', 'late through', 'w1 through', 'w2 through']);
    expect(lateBlocked).toBe(false);
    expect(c.isDone).toBe(true);
    for (let i = 0; i < 5; i++) expect(c.tryWait()).toBe(true);
    c.reinit();
    expect(c.isDone).toBe(false);
    expect(c.tryWait()).toBe(false);
  });
});

describe('wait queue', () => {
  it('wait_event re-checks the condition after every wake-up', async () => {
    const m = new Kernel();
    const wq = new WaitQueue(m, 'wq');
    let flag = false;
    let checks = 0;
    const log: string[] = [];
    const waiter = m.sched.spawn('waiter', async (t) => {
      await wq.waitEvent(t, () => {
        checks++;
        return flag;
      });
      log.push(`waiter through at ${m.clock.now} (flag ${flag})`);
    });
    m.sched.spawn('waker', async (t) => {
      const before = checks;
      log.push(`waiter ${waiter.state}, active ${wq.active}`);
      wq.wakeUp(); // spurious: the condition is still false
      log.push(`spurious wake (waiter ${waiter.state}, active ${wq.active})`);
      await m.sched.sleep(t, 100); // let the waiter run and re-check
      log.push(`after sleep: waiter ${waiter.state}, re-checks ${checks - before}, active ${wq.active}`);
      flag = true;
      wq.wakeUp();
      await m.sched.sleep(t, 1);
      log.push(`after second wake: re-checks ${checks - before}`);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual([
      'waiter blocked, active true',
      'spurious wake (waiter runnable, active false)',
      // woken with the condition false: re-checked once, went back to sleep
      'after sleep: waiter blocked, re-checks 1, active true',
      'waiter through at 100 (flag true)',
      'after second wake: re-checks 2',
    ]);
    expect(wq.active).toBe(false);
  });

  it('wait_event returns at once when the condition already holds', () => {
    const m = new Kernel();
    const wq = new WaitQueue(m, 'wq');
    const t = m.task('t');
    let checks = 0;
    sync(
      wq.waitEvent(t, () => {
        checks++;
        return true;
      }),
    );
    expect(checks).toBe(1);
    expect(wq.active).toBe(false);
  });
});

describe('grace periods', () => {
  it('Srcu.synchronize waits for a reader that started before it, not for one that started after', async () => {
    const m = new Kernel();
    const srcu = new Srcu(m, 'srcu');
    const log: string[] = [];
    m.sched.spawn('early', async (t) => {
      const idx = srcu.readLock(t);
      await m.sched.sleep(t, 100);
      log.push(`early unlock at ${m.clock.now}`);
      srcu.readUnlock(t, idx);
    });
    m.sched.spawn('sync', async (t) => {
      log.push(`sync start, readers ${srcu.readers}`);
      await srcu.synchronize(t);
      log.push(`sync done at ${m.clock.now}, readers ${srcu.readers}`);
    });
    m.sched.spawn('late', async (t) => {
      const idx = srcu.readLock(t);
      await m.sched.sleep(t, 1000);
      log.push(`late unlock at ${m.clock.now}`);
      srcu.readUnlock(t, idx);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['sync start, readers 1', 'early unlock at 100', 'sync done at 100, readers 1', 'late unlock at 1000']);
    expect(srcu.readers).toBe(0);
    expect(r.time).toBe(1000);
  });

  it('synchronize with no reader returns at once', () => {
    const m = new Kernel();
    const srcu = new Srcu(m, 'srcu');
    const t = m.task('t');
    sync(srcu.synchronize(t));
    sync(m.rcu.synchronize(t));
    expect(m.report.violations).toEqual([]);
  });

  for (const flavour of ['rcu', 'srcu'] as const) {
    it(`${flavour}: synchronize waits for earlier readers and not for later ones (random, 20 seeds)`, async () => {
      let overlapped = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const m = new Kernel({ seed, schedule: { strategy: 'random', maxSteps: 20_000 } });
        const srcu = new Srcu(m, 'srcu');
        const enter = (t: Task): number => (flavour === 'rcu' ? (m.rcu.readLock(t), 0) : srcu.readLock(t));
        const exit = (t: Task, idx: number): void => (flavour === 'rcu' ? m.rcu.readUnlock(t) : srcu.readUnlock(t, idx));
        const synchronize = (t: Task): void | Promise<void> => (flavour === 'rcu' ? m.rcu.synchronize(t) : srcu.synchronize(t));
        const readers = (): number => (flavour === 'rcu' ? m.rcu.readers : srcu.readers);
        let earlyIn = false;
        let earlyOut = false;
        let syncStarted = false;
        let syncDone = false;
        let lateIn = false;
        let lateOut = false;
        let earlyOutAtSync: boolean | null = null;
        let lateInsideAtSync = false;
        m.sched.spawn('early', async (t) => {
          const idx = enter(t);
          earlyIn = true;
          while (!syncStarted) await m.sched.yield(t);
          for (let i = 0; i < 3; i++) await m.sched.yield(t);
          earlyOut = true;
          exit(t, idx);
        });
        m.sched.spawn('sync', async (t) => {
          while (!earlyIn) await m.sched.yield(t);
          expect(readers()).toBeGreaterThanOrEqual(1);
          syncStarted = true;
          await synchronize(t);
          syncDone = true;
          earlyOutAtSync = earlyOut;
          lateInsideAtSync = lateIn && !lateOut;
        });
        m.sched.spawn('late', async (t) => {
          while (!syncStarted) await m.sched.yield(t);
          const idx = enter(t);
          lateIn = true;
          // Stays inside until the grace period ends: if synchronize waited for
          // this reader, the run would livelock.
          while (!syncDone) await m.sched.yield(t);
          lateOut = true;
          exit(t, idx);
        });
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        expect(earlyOutAtSync, `seed ${seed}`).toBe(true);
        expect(readers()).toBe(0);
        if (lateInsideAtSync) overlapped++;
      }
      expect(overlapped).toBeGreaterThan(0);
    });
  }

  it('machine.rcu.readers counts open read-side sections (nesting counts once)', () => {
    const m = new Kernel();
    const a = m.task('a');
    const b = m.task('b');
    expect(m.rcu.readers).toBe(0);
    m.rcu.readLock(a);
    expect(m.rcu.readers).toBe(1);
    m.rcu.readLock(a);
    expect(m.rcu.readers).toBe(1);
    m.rcu.readLock(b);
    expect(m.rcu.readers).toBe(2);
    m.rcu.readUnlock(a);
    expect(m.rcu.readers).toBe(2);
    m.rcu.readUnlock(a);
    expect(m.rcu.readers).toBe(1);
    m.rcu.readUnlock(b);
    expect(m.rcu.readers).toBe(0);
    expect(m.report.violations).toEqual([]);
  });

  it('Rcu.synchronize waits for a reader preempted inside its section', async () => {
    // An RCU reader may not sleep: it is inside its section across preemption points only.
    for (let seed = 1; seed <= 5; seed++) {
      const m = new Kernel({ seed, schedule: { strategy: 'random', preempt: ['yield', 'sleep'] } });
      const log: string[] = [];
      let inside = false;
      m.sched.spawn('reader', async (t) => {
        m.rcu.readLock(t);
        inside = true;
        for (let i = 0; i < 10; i++) await m.sched.yield(t);
        log.push('reader unlock');
        inside = false;
        m.rcu.readUnlock(t);
      });
      m.sched.spawn('updater', async (t) => {
        while (!inside) await m.sched.yield(t);
        log.push(`sync start, readers ${m.rcu.readers}`);
        await m.rcu.synchronize(t);
        log.push(`sync done, readers ${m.rcu.readers}`);
      });
      const r = await m.sched.run();
      expect(r.violations, `seed ${seed}`).toEqual([]);
      expect(log, `seed ${seed}`).toEqual(['sync start, readers 1', 'reader unlock', 'sync done, readers 0']);
    }
  });
});

describe('bit lock (page lock)', () => {
  it('lock sets the bit, unlock clears it; waiters get it in FIFO order; other bits untouched', async () => {
    const m = new Kernel();
    const words = new Uint32Array(3);
    words[0] = 0xffffffff;
    words[1] = 0b1000_0001;
    words[2] = 0x12345678 & ~0x8;
    const before0 = words[0];
    const before2 = words[2];
    const pg = new BitLock(m, 'PG_locked', words, 3);
    const go = new Completion(m, 'go');
    const order: string[] = [];
    const wordSeen: number[] = [];
    m.sched.spawn('holder', async (t) => {
      await pg.lock(t, 1);
      order.push('holder');
      wordSeen.push(words[1]!);
      await go.wait(t);
      await pg.unlock(t, 1);
    });
    const waiters: Task[] = [];
    for (const name of ['w1', 'w2', 'w3']) {
      waiters.push(
        m.sched.spawn(name, async (t) => {
          await pg.lock(t, 1);
          order.push(`${name} (holder ${pg.holder(1)?.name ?? '-'}, locked ${pg.isLocked(1)})`);
          wordSeen.push(words[1]!);
          await pg.unlock(t, 1);
        }),
      );
    }
    let tryResult: boolean | null = null;
    m.sched.spawn('ctl', (t) => {
      tryResult = pg.trylock(t, 1);
      expect(waiters.map((w) => w.state)).toEqual(['blocked', 'blocked', 'blocked']);
      go.complete();
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(tryResult).toBe(false);
    expect(order).toEqual(['holder', 'w1 (holder w1, locked true)', 'w2 (holder w2, locked true)', 'w3 (holder w3, locked true)']);
    expect(wordSeen).toEqual([0b1000_1001, 0b1000_1001, 0b1000_1001, 0b1000_1001]);
    expect(words[1]).toBe(0b1000_0001);
    expect(words[0]).toBe(before0);
    expect(words[2]).toBe(before2);
    expect(pg.isLocked(1)).toBe(false);
    expect(pg.holder(1)).toBeNull();
  });

  it('trylock fails when the bit is set (even if set outside the lock API), succeeds when clear', () => {
    const m = new Kernel();
    const words = new Uint32Array(2);
    const pg = new BitLock(m, 'PG_locked', words, 31);
    const a = m.task('a');
    const b = m.task('b');
    expect(pg.trylock(a, 0)).toBe(true);
    expect(words[0]).toBe(0x80000000);
    expect(pg.trylock(b, 0)).toBe(false);
    expect(pg.trylock(b, 1)).toBe(true); // another instance
    sync(pg.unlock(a, 0));
    sync(pg.unlock(b, 1));
    expect(words[0]).toBe(0);
    expect(words[1]).toBe(0);
    words[0] = 0xffffffff; // the bit set by someone else
    expect(pg.trylock(a, 0)).toBe(false);
    expect(m.report.violations).toEqual([]);
  });
});

describe('virtual clock', () => {
  it('sched.sleep advances the clock; sleepers wake in time order', async () => {
    const m = new Kernel();
    const log: [string, number][] = [];
    m.sched.spawn('slow', async (t) => {
      await m.sched.sleep(t, 300);
      log.push(['slow', m.clock.now]);
    });
    m.sched.spawn('fast', async (t) => {
      await m.sched.sleep(t, 100);
      log.push(['fast', m.clock.now]);
      await m.sched.sleep(t, 50);
      log.push(['fast again', m.clock.now]);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual([
      ['fast', 100],
      ['fast again', 150],
      ['slow', 300],
    ]);
    expect(r.time).toBe(300);
    expect(m.clock.now).toBe(300);
  });

  it('outside a run, sleep on a direct task advances the clock synchronously', () => {
    const m = new Kernel();
    const t = m.task('t');
    expect(m.clock.now).toBe(0);
    expect(m.sched.sleep(t, 250)).toBeUndefined();
    expect(m.clock.now).toBe(250);
    expect(m.sched.sleep(t, 0)).toBeUndefined();
    expect(m.clock.now).toBe(250);
    expect(isSmmuError(caught(() => m.sched.sleep(t, -1)), 'EINVAL')).toBe(true);
    expect(m.clock.now).toBe(250);
  });
});

describe('fast path', () => {
  it('uncontended locks on a direct task complete synchronously (no Promise)', () => {
    const m = new Kernel();
    const t = m.task('t');
    const mu = new Mutex(m, 'mu');
    const s = new SpinLock(m, 's');
    const rw = new RwSemaphore(m, 'rw');
    const pg = new BitLock(m, 'pg', new Uint32Array(1), 0);
    expect(mu.lock(t)).toBeUndefined();
    expect(mu.unlock(t)).toBeUndefined();
    expect(s.lock(t)).toBeUndefined();
    expect(s.unlock(t)).toBeUndefined();
    expect(rw.downRead(t)).toBeUndefined();
    expect(rw.upRead(t)).toBeUndefined();
    expect(rw.downWrite(t)).toBeUndefined();
    expect(rw.upWrite(t)).toBeUndefined();
    expect(pg.lock(t, 0)).toBeUndefined();
    expect(pg.unlock(t, 0)).toBeUndefined();
    expect(m.report.violations).toEqual([]);
  });

  it('uncontended locks inside a fifo run complete synchronously too', async () => {
    const m = new Kernel();
    const mu = new Mutex(m, 'mu');
    const s = new SpinLock(m, 's');
    const rw = new RwSemaphore(m, 'rw');
    const pg = new BitLock(m, 'pg', new Uint32Array(1), 0);
    const results: unknown[] = [];
    m.sched.spawn('t', (t) => {
      results.push(mu.lock(t), mu.unlock(t), s.lock(t), s.unlock(t), rw.downRead(t), rw.upRead(t), pg.lock(t, 0), pg.unlock(t, 0), m.sched.yield(t));
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(results).toEqual(Array(9).fill(undefined));
  });

  const contended: [string, (m: Kernel, a: Task, b: Task) => void, string][] = [
    [
      'Mutex',
      (m, a, b) => {
        const mu = new Mutex(m, 'mu');
        sync(mu.lock(a));
        void mu.lock(b);
      },
      'mutex mu',
    ],
    [
      'SpinLock',
      (m, a, b) => {
        const s = new SpinLock(m, 'sl');
        sync(s.lock(a));
        void s.lock(b);
      },
      'spinlock sl',
    ],
    [
      'RwSemaphore',
      (m, a, b) => {
        const rw = new RwSemaphore(m, 'rw');
        sync(rw.downRead(a));
        void rw.downWrite(b);
      },
      'rwsem rw',
    ],
    [
      'BitLock',
      (m, a, b) => {
        const pg = new BitLock(m, 'PG_locked', new Uint32Array(8), 0);
        sync(pg.lock(a, 7));
        void pg.lock(b, 7);
      },
      'PG_locked[7] (bit-lock)',
    ],
    [
      'Completion',
      (m, _a, b) => {
        void new Completion(m, 'ack').wait(b);
      },
      'completion ack',
    ],
  ];

  for (const [name, use, what] of contended) {
    it(`a contended ${name} on a direct task throws EDEADLK naming it`, () => {
      const m = new Kernel();
      const a = m.task('a');
      const b = m.task('b');
      const error = caught(() => use(m, a, b));
      expect(isSmmuError(error, 'EDEADLK')).toBe(true);
      expect((error as Error).message).toContain(`b would block on ${what} outside a scheduler run`);
    });
  }

  it('a failed (EDEADLK) acquire leaves no trace: no phantom waiter, hold or preempt count', () => {
    const m = new Kernel();
    const a = m.task('a');
    const b = m.task('b');
    const mu = new Mutex(m, 'mu');
    const s = new SpinLock(m, 's');
    sync(mu.lock(a));
    expect(isSmmuError(caught(() => mu.lock(b)), 'EDEADLK')).toBe(true);
    sync(s.lock(a));
    expect(isSmmuError(caught(() => s.lock(b)), 'EDEADLK')).toBe(true);
    // b did not get, and is not waiting for, either lock.
    expect(b.describeHeld()).toEqual([]);
    expect(b.preemptCount).toBe(0);
    sync(s.unlock(a));
    sync(mu.unlock(a));
    expect(s.locked).toBe(false);
    expect(mu.locked).toBe(false);
    // a can take both again.
    sync(mu.lock(a));
    sync(s.lock(a));
  });
});
