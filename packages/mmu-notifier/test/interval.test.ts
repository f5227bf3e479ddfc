import { Machine, Mutex, TASK_SIZE, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import {
  MmuIntervalNotifier,
  MmuNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  mmuNotifierRegister,
  subscriptionsOf,
  type MmuNotifierSubscriptions,
} from '../src/index.js';
import { ANON, code, P, RW, setup, v } from './support/helpers.js';

/** An interval subscription that records its invalidations and sets the sequence. */
function mirror(name: string, log: string[] = []): MmuIntervalNotifier {
  return new MmuIntervalNotifier({ invalidate: (_t, isub, r, seq) => (log.push(`${name} ${r.event} ${r.start.toString(16)}`), mmuIntervalSetSeq(isub, seq), true) }, name);
}

const range = (t: Task, start: number, end: number): MmuNotifierRange => ({ mm: t.mm!, start, end, event: 'clear', blockable: true, owner: null });

/** Drive the port as core-mm's call sites do: an invalidation left open. */
async function open(t: Task, subs: MmuNotifierSubscriptions, start: number, end: number): Promise<MmuNotifierRange> {
  const r = range(t, start, end);
  t.mm!.rangesInFlight++;
  expect(await v(subs.invalidateRangeStart(t, r))).toBe(0);
  return r;
}
async function close(t: Task, subs: MmuNotifierSubscriptions, r: MmuNotifierRange): Promise<void> {
  await v(subs.invalidateRangeEnd(t, r));
  t.mm!.rangesInFlight--;
}

describe('interval notifiers: the sequence protocol', () => {
  it('the sequence is even when idle, odd while an invalidation overlaps an interval; non-overlapping ranges leave it even', async () => {
    const { t } = setup('v6');
    const log: string[] = [];
    const isub = mirror('a', log);
    await v(mmuIntervalNotifierInsert(t, isub, t.mm!, 0x10000, 4 * P));
    const subs = subscriptionsOf(t.mm!)!;
    expect(subs.invalidateSeq).toBe(2);
    expect(isub.invalidateSeq).toBe(1); // odd, below the mm's
    const miss = await open(t, subs, 0x40000, 0x41000);
    expect(subs.invalidateSeq).toBe(2);
    await close(t, subs, miss);
    const hit = await open(t, subs, 0x11000, 0x12000);
    expect(subs.invalidateSeq).toBe(3);
    expect(isub.invalidateSeq).toBe(3);
    expect(mmuIntervalReadRetry(isub, 1)).toBe(true);
    await close(t, subs, hit);
    expect(subs.invalidateSeq).toBe(4);
    expect(log).toEqual(['a clear 11000']);
  });

  it('insert during an odd epoch is deferred to the last end; insert during an even active range goes in and turns the seq odd', async () => {
    const { t } = setup('v6');
    const a = mirror('a');
    await v(mmuIntervalNotifierInsert(t, a, t.mm!, 0x10000, P));
    const subs = subscriptionsOf(t.mm!)!;
    const r1 = await open(t, subs, 0x10000, 0x11000); // odd
    const b = mirror('b');
    await v(mmuIntervalNotifierInsert(t, b, t.mm!, 0x20000, P));
    expect(b.state).toBe('deferred-insert');
    expect(subs.itree.size).toBe(1);
    expect(b.invalidateSeq).toBe(subs.invalidateSeq); // its first readBegin must wait for this epoch
    await close(t, subs, r1);
    expect(b.state).toBe('tree');
    expect(subs.itree.size).toBe(2);
    const r2 = await open(t, subs, 0x50000, 0x51000); // active, but even
    const c = mirror('c');
    await v(mmuIntervalNotifierInsert(t, c, t.mm!, 0x30000, P));
    expect(c.state).toBe('tree');
    expect(subs.invalidateSeq % 2).toBe(1);
    await close(t, subs, r2);
    expect(subs.invalidateSeq % 2).toBe(0);
  });

  it('remove of a still-deferred insert drops it without waiting', async () => {
    const { t } = setup('v6');
    await v(mmuIntervalNotifierInsert(t, mirror('a'), t.mm!, 0x10000, P));
    const subs = subscriptionsOf(t.mm!)!;
    const r = await open(t, subs, 0x10000, 0x11000);
    const b = mirror('b');
    await v(mmuIntervalNotifierInsert(t, b, t.mm!, 0x20000, P));
    await v(mmuIntervalNotifierRemove(t, b)); // direct task: would be EDEADLK if it waited
    expect(b.state).toBe('removed');
    await close(t, subs, r);
    expect(subs.itree.size).toBe(1);
  });

  it('bad inserts: EINVAL in the 2008 eras and when already inserted, EOVERFLOW for an empty range; nothing changes', async () => {
    for (const era of ['rfc-2008', 'v2.6.27'] as const) {
      const { t } = setup(era);
      expect(await code(() => mmuIntervalNotifierInsert(t, mirror('a'), t.mm!, 0, P))).toBe('EINVAL');
      expect(t.mm!.secondary).toBeNull();
    }
    const { t } = setup('v6');
    expect(await code(() => mmuIntervalNotifierInsert(t, mirror('a'), t.mm!, 0, 0))).toBe('EOVERFLOW');
    expect(t.mm!.secondary).toBeNull();
    const a = mirror('a');
    await v(mmuIntervalNotifierInsert(t, a, t.mm!, 0, P));
    expect(await code(() => mmuIntervalNotifierInsert(t, a, t.mm!, P, P))).toBe('EINVAL');
    expect(a.start).toBe(0);
    expect(await code(() => mmuIntervalNotifierRemove(t, mirror('never')))).toBe('EINVAL');
  });

  it('exit gives interval subscribers one blockable RELEASE invalidation over everything, before the classic list', async () => {
    const { m, t } = setup('v6');
    const log: string[] = [];
    await v(mmuNotifierRegister(t, new MmuNotifier({ release: () => void log.push('list release') }, 'kvm'), t.mm!));
    await v(mmuIntervalNotifierInsert(t, new MmuIntervalNotifier({ invalidate: (_t, i, r, s) => (log.push(`${r.event} ${r.start}-${r.end === TASK_SIZE ? 'TASK_SIZE' : r.end} ${String(r.blockable)}`), mmuIntervalSetSeq(i, s), true) }, 'dmirror'), t.mm!, 0x10000, P));
    await v(m.mem.exit(t));
    expect(log.slice(0, 2)).toEqual(['release 0-TASK_SIZE true', 'list release']);
  });
});

/** A process whose munmap holds the invalidation epoch open for 5 µs (a sleeping classic subscriber). */
async function slowUnmap(m: Machine, log: string[]): Promise<{ isub: MmuIntervalNotifier; addr: number }> {
  const t = m.mem.createProcess('app').task('setup');
  const addr = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
  const isub = new MmuIntervalNotifier({ invalidate: (_t, i, r, s) => (log.push('invalidate'), mmuIntervalSetSeq(i, s), true) }, 'dmirror');
  await v(mmuIntervalNotifierInsert(t, isub, t.mm!, addr, 4 * P));
  const slow = new MmuNotifier(
    {
      invalidateRangeStart: (task) => {
        log.push('epoch open');
        const s = m.sched.sleep(task, 5000);
        return s instanceof Promise ? s.then(() => 0) : 0;
      },
      invalidateRangeEnd: () => void log.push('epoch closes'),
    },
    'slow',
  );
  await v(mmuNotifierRegister(t, slow, t.mm!));
  m.mem.processes[0]!.spawn('unmapper', (task) => m.mem.munmap(task, addr, 4 * P));
  return { isub, addr };
}

describe('interval notifiers: waiting (scheduled)', () => {
  it('readBegin waits while an invalidation of the current epoch is working on the interval', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const log: string[] = [];
    const { isub } = await slowUnmap(m, log);
    m.sched.spawn('device-fault', async (task) => {
      while (!log.includes('epoch open')) await v(m.sched.yield(task));
      const seq = await v(mmuIntervalReadBegin(task, isub));
      log.push(`readBegin returned at ${m.clock.now}`);
      expect(mmuIntervalReadRetry(isub, seq)).toBe(false);
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['invalidate', 'epoch open', 'epoch closes', 'readBegin returned at 5000']);
  });

  it('remove during an active epoch returns only after it ends; invalidate is never called after remove returned', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const log: string[] = [];
    const { isub } = await slowUnmap(m, log);
    m.sched.spawn('close', async (task) => {
      while (!log.includes('epoch open')) await v(m.sched.yield(task));
      await v(mmuIntervalNotifierRemove(task, isub));
      log.push('removed');
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['invalidate', 'epoch open', 'epoch closes', 'removed']);
    expect(isub.state).toBe('removed');
    expect(subscriptionsOf(m.mem.processes[0]!.mm!)!.itree.size).toBe(0);
  });

  it('lockdep: a driver lock held around readBegin and taken inside invalidate is an inversion through the start map', async () => {
    const { m, t } = setup('v6');
    const lock = new Mutex(m, 'dmirror->mutex');
    const addr = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    const isub = new MmuIntervalNotifier(
      {
        invalidate: (task, i, _r, s) => {
          const l = lock.lock(task);
          if (l instanceof Promise) throw new Error('contended');
          mmuIntervalSetSeq(i, s);
          void lock.unlock(task);
          return true;
        },
      },
      'dmirror',
    );
    await v(mmuIntervalNotifierInsert(t, isub, t.mm!, addr, P));
    await v(m.mem.write(t, addr, 1));
    await v(m.mem.munmap(t, addr, P)); // start map -> dmirror->mutex
    const t2 = m.mem.processes[0]!.task('fault');
    const isub2 = new MmuIntervalNotifier({ invalidate: () => true }, 'other');
    await v(mmuIntervalNotifierInsert(t2, isub2, t2.mm!, 0, P));
    await v(lock.lock(t2));
    await v(mmuIntervalReadBegin(t2, isub2)); // dmirror->mutex -> start map
    await v(lock.unlock(t2));
    expect(m.report.violations.map((x) => x.kind)).toEqual(['lock-inversion']);
    expect(m.report.violations[0]!.message).toMatch(/mmu_notifier_invalidate_range_start/);
  });
});
