/**
 * lockdep-lite: lock-order inversions (found from two chains, without any deadlock
 * happening), recursion, bad unlock balance, locks held at task exit, pseudo-locks
 * (fs_reclaim) and SRCU. In the spirit of lib/locking-selftest.c: every pattern that
 * can deadlock is reported once, every safe pattern is quiet.
 */
import { describe, expect, it } from 'vitest';
import {
  BitLock,
  Machine,
  Mutex,
  RwSemaphore,
  SpinLock,
  Srcu,
  type Task,
  type Violation,
} from '../src/index.js';
import { kinds, sync } from './support/lock-helpers.js';

/** A lock of any type, behind one interface, so patterns run over every type. */
interface AnyLock {
  readonly name: string;
  lock(t: Task): void | Promise<void>;
  unlock(t: Task): void | Promise<void>;
}

type Maker = (m: Machine, name: string) => AnyLock;

// Spinlocks and mutexes have that interface already; rwsems and bit locks are adapted.
const spin: Maker = (m, name) => new SpinLock(m, name);
const mutex: Maker = (m, name) => new Mutex(m, name);
const rwRead: Maker = (m, name) => {
  const l = new RwSemaphore(m, name);
  return { name, lock: (t) => l.downRead(t), unlock: (t) => l.upRead(t) };
};
const rwWrite: Maker = (m, name) => {
  const l = new RwSemaphore(m, name);
  return { name, lock: (t) => l.downWrite(t), unlock: (t) => l.upWrite(t) };
};
const bit: Maker = (m, name) => {
  const l = new BitLock(m, name, new Uint32Array(1), 0);
  return { name, lock: (t) => l.lock(t, 0), unlock: (t) => l.unlock(t, 0) };
};

/** Spawn a task that takes `locks` in order, then releases them in reverse. */
function nest(m: Machine, name: string, locks: readonly AnyLock[]): void {
  m.sched.spawn(name, async (t) => {
    for (const l of locks) await l.lock(t);
    for (const l of [...locks].reverse()) await l.unlock(t);
  });
}

/** The same on a direct task, where each operation must complete at once. */
function nestNow(t: Task, locks: readonly AnyLock[]): void {
  for (const l of locks) sync(l.lock(t));
  for (const l of [...locks].reverse()) sync(l.unlock(t));
}

/** Expect `vs` to be exactly one violation, of `kind`, and return it. */
function only(vs: readonly Violation[], kind: string): Violation {
  expect(kinds(vs)).toEqual([kind]);
  return vs[0]!;
}

/** Run `m`'s tasks: no deadlock happens, and the one report is a lock inversion, returned. */
async function runToInversion(m: Machine): Promise<Violation> {
  const r = await m.sched.run();
  expect(r.aborted).toBe(false);
  expect(kinds(r.violations)).not.toContain('deadlock');
  return only(r.violations, 'lock-inversion');
}

describe('lockdep: AB-BA inversion', () => {
  const cases: [string, Maker, Maker][] = [
    ['spinlocks', spin, spin],
    ['mutexes', mutex, mutex],
    ['rwsems (read)', rwRead, rwRead],
    ['rwsems (write)', rwWrite, rwWrite],
    ['mutex and rwsem (mixed)', mutex, rwWrite],
    ['rwsem (read) and mutex (mixed)', rwRead, mutex],
    ['bit-lock and mutex (mixed)', bit, mutex],
  ];

  for (const [what, makeA, makeB] of cases) {
    it(`${what}: reported from the two chains, without deadlocking, once`, async () => {
      const m = new Machine();
      const a = makeA(m, 'A');
      const b = makeB(m, 'B');
      nest(m, 't1', [a, b]);
      nest(m, 't2', [b, a]);
      // Repeat both orders: still one report.
      nest(m, 't3', [a, b]);
      nest(m, 't4', [b, a]);
      const v = await runToInversion(m);
      expect(v.task).toBe('t2');
      expect(v.message).toContain('possible circular locking dependency detected');
      expect(v.message).toContain('t2 acquires A while holding B, but A -> B was seen before');
      expect(v.heldLocks).toHaveLength(1);
      expect(v.heldLocks[0]).toMatch(/^B \(/);
      const details = v.details!.join('\n');
      // the new chain B -> A ...
      expect(details).toContain('new dependency: t2 acquires A while holding B at');
      // ... and the existing chain A -> B, with who made it and what it held.
      expect(details).toContain('existing dependency chain A -> B:');
      expect(details).toMatch(/ {2}A -> B first by t1 at .*lockdep\.test\.ts.*, holding \[A(\[0\])? \(/);
      expect(details).toContain('possible unsafe locking scenario:');
      expect(m.report.of('lock-inversion')).toHaveLength(1);
    });

    it(`${what}: a consistent order A -> B is quiet`, async () => {
      const m = new Machine();
      const a = makeA(m, 'A');
      const b = makeB(m, 'B');
      nest(m, 't1', [a, b]);
      nest(m, 't2', [a, b]);
      nest(m, 't3', [b]);
      nest(m, 't4', [a]);
      const r = await m.sched.run();
      expect(r.violations).toEqual([]);
      expect(r.ok).toBe(true);
    });
  }

  it('the inversion is reported in a single task as well (A->B then B->A sequentially)', () => {
    const m = new Machine();
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    const t = m.task('t');
    nestNow(t, [a, b]);
    expect(m.report.violations).toEqual([]);
    nestNow(t, [b, a]);
    expect(only(m.report.violations, 'lock-inversion').heldLocks).toEqual(['B (mutex)']);
  });

  it('three-lock cycle A -> B, B -> C, C -> A is reported with the whole chain', async () => {
    const m = new Machine();
    const a = mutex(m, 'A');
    const b = mutex(m, 'B');
    const c = mutex(m, 'C');
    nest(m, 't1', [a, b]);
    nest(m, 't2', [b, c]);
    nest(m, 't3', [c, a]);
    const v = await runToInversion(m);
    expect(v.task).toBe('t3');
    expect(v.message).toContain('t3 acquires A while holding C, but A -> C was seen before');
    expect(v.details).toContain('existing dependency chain A -> B -> C:');
    const details = v.details!.join('\n');
    expect(details).toMatch(/A -> B first by t1 at /);
    expect(details).toMatch(/B -> C first by t2 at /);
  });

  it('a three-lock chain in a consistent order (A -> B -> C, A -> C) is quiet', async () => {
    const m = new Machine();
    const a = mutex(m, 'A');
    const b = mutex(m, 'B');
    const c = mutex(m, 'C');
    nest(m, 't1', [a, b, c]);
    nest(m, 't2', [a, c]);
    nest(m, 't3', [b, c]);
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
  });

  it('trylock acquisitions create no inversion (A then trylock B; B then A)', async () => {
    const m = new Machine();
    const a = new Mutex(m, 'A');
    const b = new Mutex(m, 'B');
    let got = false;
    m.sched.spawn('t1', async (t) => {
      await a.lock(t);
      got = b.trylock(t);
      if (got) await b.unlock(t);
      await a.unlock(t);
    });
    nest(m, 't2', [b, a]);
    const r = await m.sched.run();
    expect(got).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it('spinlock trylock in the reverse order is quiet too', () => {
    const m = new Machine();
    const a = new SpinLock(m, 'A');
    const b = new SpinLock(m, 'B');
    const t = m.task('t');
    nestNow(t, [a, b]);
    sync(b.lock(t));
    expect(a.trylock(t)).toBe(true);
    sync(a.unlock(t));
    sync(b.unlock(t));
    expect(m.report.violations).toEqual([]);
  });

  it('a consistent global order over many tasks and locks stays quiet', async () => {
    const m = new Machine({ seed: 7, schedule: { strategy: 'random' } });
    const locks = [mutex(m, 'L0'), rwWrite(m, 'L1'), mutex(m, 'L2'), rwRead(m, 'L3'), spin(m, 'L4'), spin(m, 'L5')];
    for (let i = 0; i < 12; i++) {
      // Each task takes an ordered subset of the locks (always increasing index).
      const subset = locks.filter((_, j) => ((i * 5 + 3) >> j) & 1 || j === i % locks.length);
      nest(m, `t${i}`, subset);
    }
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('lockdep: recursion', () => {
  it('the same mutex twice in one task: lock-recursion, then a real self-deadlock', async () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    let passed = false;
    m.sched.spawn('t', async (t) => {
      await mu.lock(t);
      await mu.lock(t);
      passed = true;
    });
    const r = await m.sched.run();
    expect(kinds(r.violations)).toEqual(['lock-recursion', 'deadlock']);
    const rec = r.violations[0]!;
    expect(rec.message).toContain('possible recursive locking detected: t acquires mu (mutex), which it already holds: deadlock');
    expect(rec.heldLocks).toEqual(['mu (mutex)']);
    expect(rec.site).toContain('lockdep.test.ts');
    const dl = r.violations[1]!;
    expect(dl.details).toContain('wait-for cycle:');
    expect(dl.details).toContain('  t waits for mutex mu held by t');
    expect(r.aborted).toBe(true);
    expect(passed).toBe(false);
  });

  it('on a direct task, relocking a held mutex is reported as recursion before EDEADLK refuses the wait', () => {
    // lockdep validates at lock_acquire(), before waiting: the splat comes first, the hang second.
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    sync(mu.lock(t));
    let error: unknown = null;
    try {
      void mu.lock(t);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string } | null)?.code).toBe('EDEADLK');
    expect(kinds(m.report.violations)).toEqual(['lock-recursion']);
    expect(m.report.violations[0]!.message).toContain('t acquires mu (mutex), which it already holds: deadlock');
    // The refused wait left no trace: one hold, released cleanly.
    expect(t.describeHeld()).toEqual(['mu (mutex)']);
    sync(mu.unlock(t));
    expect(mu.locked).toBe(false);
  });

  it('the same spinlock twice in one task: lock-recursion, then a self-deadlock', async () => {
    const m = new Machine();
    const s = new SpinLock(m, 's');
    m.sched.spawn('t', async (t) => {
      await s.lock(t);
      await s.lock(t);
    });
    const r = await m.sched.run();
    expect(kinds(r.violations)).toEqual(['lock-recursion', 'deadlock']);
    expect(r.violations[0]!.message).toContain('t acquires s (spinlock), which it already holds');
  });

  it('two locks of the same class nested: lock-recursion (not a deadlock)', () => {
    const m = new Machine();
    const parent = new Mutex(m, 'i_rwsem');
    const child = new Mutex(m, 'i_rwsem');
    expect(child.lockClass).toBe(parent.lockClass);
    const t = m.task('t');
    sync(parent.lock(t));
    sync(child.lock(t));
    const v = only(m.report.violations, 'lock-recursion');
    expect(v.message).toContain('possible recursive locking detected: t acquires i_rwsem (mutex) while holding another lock of class i_rwsem');
    expect(v.message).toContain('nested subclass');
    expect(v.heldLocks).toEqual(['i_rwsem (mutex)']);
    sync(child.unlock(t));
    sync(parent.unlock(t));
  });

  it('two spinlocks of the same class nested: lock-recursion', () => {
    const m = new Machine();
    const a = new SpinLock(m, 'rq_lock');
    const b = new SpinLock(m, 'rq_lock');
    const t = m.task('t');
    sync(a.lock(t));
    sync(b.lock(t));
    expect(kinds(m.report.violations)).toEqual(['lock-recursion']);
    sync(b.unlock(t));
    sync(a.unlock(t));
  });

  it('lockNested(task, 1) for the inner lock of the class is quiet', () => {
    const m = new Machine();
    const parent = new Mutex(m, 'i_rwsem');
    const child = new Mutex(m, 'i_rwsem');
    const t = m.task('t');
    sync(parent.lock(t));
    sync(child.lockNested(t, 1));
    expect(t.describeHeld()).toEqual(['i_rwsem (mutex)', 'i_rwsem/1 (mutex)']);
    sync(child.unlock(t));
    sync(parent.unlock(t));
    const a = new SpinLock(m, 'rq_lock');
    const b = new SpinLock(m, 'rq_lock');
    sync(a.lock(t));
    sync(b.lockNested(t, 1));
    sync(b.unlock(t));
    sync(a.unlock(t));
    expect(m.report.violations).toEqual([]);
  });

  it('rwsem read taken twice in one task is recursion (a fair rwsem can deadlock on it)', () => {
    const m = new Machine();
    const rw = new RwSemaphore(m, 'mmap_lock');
    const t = m.task('t');
    sync(rw.downRead(t));
    sync(rw.downRead(t));
    expect(kinds(m.report.violations)).toEqual(['lock-recursion']);
    sync(rw.upRead(t));
    sync(rw.upRead(t));
  });

  it('nested SRCU and RCU readers are not recursion', () => {
    const m = new Machine();
    const srcu = new Srcu(m, 'srcu');
    const t = m.task('t');
    const i1 = srcu.readLock(t);
    const i2 = srcu.readLock(t);
    m.rcu.readLock(t);
    m.rcu.readLock(t);
    m.rcu.readUnlock(t);
    m.rcu.readUnlock(t);
    srcu.readUnlock(t, i2);
    srcu.readUnlock(t, i1);
    expect(m.report.violations).toEqual([]);
  });
});

describe('lockdep: bad unlock balance', () => {
  it('mutex: unlocking one held by another task is reported; the hold is intact', () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    const owner = m.task('owner');
    const thief = m.task('thief');
    sync(mu.lock(owner));
    sync(mu.unlock(thief));
    const v = only(m.report.violations, 'bad-unlock');
    expect(v.message).toContain('bad unlock balance detected: thief is trying to release mu (mutex) but holds no such lock');
    expect(v.task).toBe('thief');
    expect(mu.locked).toBe(true);
    expect(mu.holders()).toEqual([owner]);
    expect(owner.describeHeld()).toEqual(['mu (mutex)']);
    sync(mu.unlock(owner));
    expect(mu.locked).toBe(false);
    expect(m.report.violations).toHaveLength(1);
  });

  it('mutex: unlocking a free mutex, or twice, is reported', () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    const t = m.task('t');
    sync(mu.unlock(t));
    sync(mu.lock(t));
    sync(mu.unlock(t));
    sync(mu.unlock(t));
    expect(kinds(m.report.violations)).toEqual(['bad-unlock', 'bad-unlock']);
    expect(mu.locked).toBe(false);
  });

  it('spinlock: bad unlock leaves holder and preempt counts alone', () => {
    const m = new Machine();
    const s = new SpinLock(m, 's');
    const owner = m.task('owner');
    const thief = m.task('thief');
    sync(s.lock(owner));
    sync(s.unlock(thief));
    expect(only(m.report.violations, 'bad-unlock').message).toContain('thief is trying to release s (spinlock)');
    expect(s.holder).toBe(owner);
    expect(thief.preemptCount).toBe(0);
    expect(owner.preemptCount).toBe(1);
    sync(s.unlock(owner));
    expect(owner.preemptCount).toBe(0);
    expect(s.locked).toBe(false);
  });

  it('rwsem: up_read / up_write by a task that does not hold it', () => {
    const m = new Machine();
    const rw = new RwSemaphore(m, 'rw');
    const reader = m.task('reader');
    const writer = m.task('writer');
    const other = m.task('other');
    sync(rw.downRead(reader));
    sync(rw.upRead(other));
    sync(rw.upWrite(other));
    expect(kinds(m.report.violations)).toEqual(['bad-unlock', 'bad-unlock']);
    expect(m.report.violations[0]!.message).toContain('other is trying to release rw (rwsem)');
    expect(rw.readerCount).toBe(1);
    expect(rw.holders()).toEqual([reader]);
    sync(rw.upRead(reader));
    sync(rw.downWrite(writer));
    sync(rw.upWrite(other));
    expect(rw.writeLocked).toBe(true);
    expect(rw.holders()).toEqual([writer]);
    rw.downgrade(other);
    expect(rw.writeLocked).toBe(true);
    expect(kinds(m.report.violations)).toEqual(['bad-unlock', 'bad-unlock', 'bad-unlock', 'bad-unlock']);
    sync(rw.upWrite(writer));
    expect(rw.writeLocked).toBe(false);
  });

  it('rwsem: releasing in the wrong mode (up_read of a write hold) is a bad unlock and leaves the hold intact', () => {
    const m = new Machine();
    const rw = new RwSemaphore(m, 'rw');
    const t = m.task('t');
    sync(rw.downWrite(t));
    sync(rw.upRead(t)); // wrong mode: the kernel's DEBUG_RWSEMS warns
    expect(kinds(m.report.violations)).toEqual(['bad-unlock']);
    expect(rw.writeLocked).toBe(true);
    expect(t.describeHeld()).toEqual(['rw (rwsem)']);
    sync(rw.upWrite(t));
    expect(rw.writeLocked).toBe(false);
    expect(t.describeHeld()).toEqual([]);
    expect(kinds(m.report.violations)).toEqual(['bad-unlock']);
  });

  it('rwsem: up_write or downgrade of a read hold is a bad unlock and leaves the hold intact', () => {
    const m = new Machine();
    const rw = new RwSemaphore(m, 'rw');
    const t = m.task('t');
    sync(rw.downRead(t));
    sync(rw.upWrite(t));
    rw.downgrade(t);
    expect(kinds(m.report.violations)).toEqual(['bad-unlock', 'bad-unlock']);
    expect(rw.readerCount).toBe(1);
    expect(t.describeHeld()).toEqual(['rw (rwsem, read)']);
    sync(rw.upRead(t));
    expect(rw.readerCount).toBe(0);
    expect(kinds(m.report.violations)).toEqual(['bad-unlock', 'bad-unlock']);
  });

  it('bit-lock: the page lock has no owner (I/O completion unlocks it); unlocking an unlocked page is reported', () => {
    const m = new Machine();
    const words = new Uint32Array(4);
    const pg = new BitLock(m, 'PG_locked', words, 0);
    const owner = m.task('owner');
    const io = m.task('end_io');
    sync(pg.lock(owner, 2));
    sync(pg.unlock(owner, 3)); // a different page: not locked
    expect(only(m.report.violations, 'bad-unlock').message).toContain('owner is trying to release PG_locked[3] (bit-lock) but the page is not locked');
    expect(words[3]).toBe(0);
    expect(pg.holder(2)).toBe(owner);
    sync(pg.unlock(io, 2)); // unlock_page() from I/O completion: legal
    expect(kinds(m.report.violations)).toEqual(['bad-unlock']);
    expect(words[2]).toBe(0);
    expect(owner.describeHeld()).toEqual([]);
  });

  it('bit-lock: two different pages may be held at once; the same page twice is recursion', () => {
    const m = new Machine();
    const pg = new BitLock(m, 'PG_locked', new Uint32Array(4), 0);
    const t = m.task('t');
    sync(pg.lock(t, 1));
    sync(pg.lock(t, 2));
    expect(m.report.violations).toEqual([]);
    expect(() => pg.lock(t, 2)).toThrow(/EDEADLK/);
    expect(kinds(m.report.violations)).toEqual(['lock-recursion']);
  });

  it('rcu_read_unlock / srcu_read_unlock without a read section are reported', () => {
    const m = new Machine();
    const srcu = new Srcu(m, 'srcu');
    const t = m.task('t');
    m.rcu.readUnlock(t);
    srcu.readUnlock(t, 1);
    expect(kinds(m.report.violations)).toEqual(['bad-unlock', 'bad-unlock']);
    expect(t.rcuDepth).toBe(0);
  });

  it('balanced lock/unlock is quiet', () => {
    const m = new Machine();
    const t = m.task('t');
    const mu = new Mutex(m, 'mu');
    const s = new SpinLock(m, 's');
    const rw = new RwSemaphore(m, 'rw');
    const pg = new BitLock(m, 'pg', new Uint32Array(1), 5);
    sync(mu.lock(t));
    sync(rw.downWrite(t));
    rw.downgrade(t);
    sync(pg.lock(t, 0));
    sync(s.lock(t));
    sync(s.unlock(t));
    sync(pg.unlock(t, 0));
    sync(rw.upRead(t));
    sync(mu.unlock(t));
    expect(m.report.violations).toEqual([]);
    expect(t.describeHeld()).toEqual([]);
  });
});

describe('lockdep: held at exit', () => {
  it('a task ending while holding a mutex is reported', async () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    m.sched.spawn('leaker', async (t) => {
      await mu.lock(t);
    });
    const r = await m.sched.run();
    const v = only(r.violations, 'held-at-exit');
    expect(v.task).toBe('leaker');
    expect(v.message).toBe('task leaker ended with 1 lock(s) held');
    expect(v.heldLocks).toEqual(['mu (mutex)']);
    expect(r.aborted).toBe(false);
  });

  it('a task ending while holding a spinlock is reported with its preempt count', async () => {
    const m = new Machine();
    const s = new SpinLock(m, 's');
    m.sched.spawn('leaker', (t) => s.lock(t));
    const v = only((await m.sched.run()).violations, 'held-at-exit');
    expect(v.message).toBe('task leaker ended with 1 lock(s) held, preempt count 1');
    expect(v.heldLocks).toEqual(['s (spinlock)']);
  });

  it('a task ending inside an RCU read-side section is reported', async () => {
    const m = new Machine();
    m.sched.spawn('reader', (t) => m.rcu.readLock(t));
    const v = only((await m.sched.run()).violations, 'held-at-exit');
    expect(v.message).toContain('RCU read-side depth 1');
    expect(v.heldLocks).toEqual(['rcu_read_lock (rcu, read)']);
  });

  it('a task ending inside a non-blockable section is reported', async () => {
    const m = new Machine();
    m.sched.spawn('notifier', (t) => t.enterNonBlock());
    const v = only((await m.sched.run()).violations, 'held-at-exit');
    expect(v.message).toBe('task notifier ended with non-block depth 1');
  });

  it('tasks that release everything end quietly', async () => {
    const m = new Machine();
    const mu = new Mutex(m, 'mu');
    m.sched.spawn('a', async (t) => {
      await mu.lock(t);
      m.rcu.readLock(t);
      t.enterNonBlock();
      t.exitNonBlock();
      m.rcu.readUnlock(t);
      await mu.unlock(t);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('lockdep: pseudo-locks', () => {
  /** kswapd: reclaim runs (fs_reclaim held) and takes `l`. */
  function kswapdTaking(m: Machine, l: Mutex): void {
    m.sched.spawn('kswapd', async (t) => {
      m.fsReclaim.acquire(t);
      await l.lock(t);
      await l.unlock(t);
      m.fsReclaim.release(t);
    });
  }

  it('fs_reclaim: a lock held around an allocation and taken inside reclaim is an inversion', async () => {
    const m = new Machine();
    const l = new Mutex(m, 'L');
    m.sched.spawn('allocator', async (t) => {
      await l.lock(t);
      m.fsReclaim.touch(t); // a GFP_KERNEL allocation under L
      await l.unlock(t);
    });
    kswapdTaking(m, l);
    const v = await runToInversion(m);
    expect(v.task).toBe('kswapd');
    expect(v.message).toContain('kswapd acquires L while holding fs_reclaim, but L -> fs_reclaim was seen before');
    expect(v.heldLocks).toEqual(['fs_reclaim (pseudo)']);
    expect(v.details!.join('\n')).toContain('L -> fs_reclaim first by allocator');
  });

  it('fs_reclaim: allocating without the lock, and reclaim taking the lock, is quiet', async () => {
    const m = new Machine();
    const l = new Mutex(m, 'L');
    m.sched.spawn('allocator', async (t) => {
      m.fsReclaim.touch(t);
      await l.lock(t);
      await l.unlock(t);
    });
    kswapdTaking(m, l);
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
  });
});

describe('lockdep: SRCU', () => {
  /** A machine with SRCU `srcu` and mutex `M`, and the two tasks the tests combine. */
  function srcuAndM() {
    const m = new Machine();
    const srcu = new Srcu(m, 'srcu');
    const mu = new Mutex(m, 'M');
    /** Takes M inside its read section. */
    const reader = (name = 'reader'): void => {
      m.sched.spawn(name, async (t) => {
        const idx = srcu.readLock(t);
        await mu.lock(t);
        await mu.unlock(t);
        srcu.readUnlock(t, idx);
      });
    };
    /** Calls synchronize_srcu with M held. */
    const updaterUnderM = (): void => {
      m.sched.spawn('updater', async (t) => {
        await mu.lock(t);
        await srcu.synchronize(t);
        await mu.unlock(t);
      });
    };
    return { m, srcu, mu, reader, updaterUnderM };
  }

  it('synchronize_srcu inside its own read section is recursion (a self-deadlock)', async () => {
    const m = new Machine();
    const srcu = new Srcu(m, 'srcu');
    m.sched.spawn('t', async (t) => {
      const idx = srcu.readLock(t);
      await srcu.synchronize(t);
      srcu.readUnlock(t, idx);
    });
    const r = await m.sched.run();
    expect(kinds(r.violations)).toEqual(['lock-recursion', 'deadlock']);
    expect(r.violations[0]!.message).toContain('t acquires srcu (srcu), which it already holds: deadlock');
    expect(r.violations[0]!.heldLocks).toEqual(['srcu (srcu, read)']);
  });

  it('synchronize_srcu under a mutex a reader takes is an inversion', async () => {
    const { m, reader, updaterUnderM } = srcuAndM();
    reader();
    updaterUnderM();
    const v = await runToInversion(m);
    expect(v.task).toBe('updater');
    expect(v.message).toContain('updater acquires srcu while holding M, but srcu -> M was seen before');
    expect(v.heldLocks).toEqual(['M (mutex)']);
  });

  it('the same inversion is found with the updater first', async () => {
    const { m, reader, updaterUnderM } = srcuAndM();
    updaterUnderM();
    reader();
    expect((await runToInversion(m)).message).toContain('reader acquires M while holding srcu, but M -> srcu was seen before');
  });

  it('two readers taking M in opposite orders relative to the read side are quiet (readers never block)', async () => {
    const { m, srcu, mu, reader } = srcuAndM();
    reader('r1');
    m.sched.spawn('r2', async (t) => {
      await mu.lock(t);
      const idx = srcu.readLock(t);
      srcu.readUnlock(t, idx);
      await mu.unlock(t);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
  });

  it('synchronize_srcu outside any lock, with a reader taking M, is quiet', async () => {
    const { m, srcu, mu, reader } = srcuAndM();
    reader();
    m.sched.spawn('updater', async (t) => {
      await mu.lock(t);
      await mu.unlock(t);
      await srcu.synchronize(t);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
  });

  it('locks taken inside rcu_read_lock take no part in ordering (rcu is unchecked)', () => {
    const m = new Machine();
    const s = new SpinLock(m, 's');
    const t = m.task('t');
    m.rcu.readLock(t);
    sync(s.lock(t));
    sync(s.unlock(t));
    m.rcu.readUnlock(t);
    sync(s.lock(t));
    m.rcu.readLock(t);
    m.rcu.readUnlock(t);
    sync(s.unlock(t));
    expect(m.report.violations).toEqual([]);
  });
});
