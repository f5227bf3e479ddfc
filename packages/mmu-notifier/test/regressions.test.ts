/**
 * Regressions from the first review of the notifier core (and its core-mm call sites):
 * each test names the bug it caught in a comment; each failed before its fix.
 */
import { Machine, reapOnce, SpinLock, type Era, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import {
  configureNotifiers,
  MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalSetSeq,
  MmuNotifier,
  mmuNotifierGet,
  mmuNotifierPut,
  mmuNotifierRegister,
  mmuNotifierSynchronize,
  mmuNotifierUnregister,
  MmuRmapNotifier,
  mmuRmapNotifierRegister,
  mmuRmapNotifierUnregister,
  type MmuNotifierOps,
} from '../src/index.js';
import { ANON, code, P, RW, setup, v } from './support/helpers.js';

/** `then` after sleeping `ns` of virtual time (a Promise only if the sleep suspended). */
function after<T>(m: Machine, task: Task, ns: number, then: () => T): T | Promise<T> {
  const s = m.sched.sleep(task, ns);
  return s instanceof Promise ? s.then(then) : then();
}

describe('review: release at exit', () => {
  // BUG 1: mn_hlist_release unlists with `for (const sub of this.list) this.unlist(task, sub)`
  // while unlist() splices this.list: every second subscription stays `listed`.
  it('v6 exit unlists every subscription (for-of over an array spliced inside the loop skips every other one)', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const released: string[] = [];
    const subs = ['a', 'b', 'c', 'd'].map((n) => new MmuNotifier({ release: () => void released.push(n) }, n));
    for (const s of subs) await v(mmuNotifierRegister(t, s, mm));
    await v(m.mem.exit(t));
    expect(released).toEqual(['d', 'c', 'b', 'a']);
    expect(subs.map((s) => [s.name, s.listed])).toEqual([['a', false], ['b', false], ['c', false], ['d', false]]);
    // The kernel's unregister finds every one unhashed and only waits: ->release is not called again.
    const closer = m.task('closer');
    for (const s of subs) await v(mmuNotifierUnregister(closer, s, mm));
    expect(released).toEqual(['d', 'c', 'b', 'a']);
  });

  // BUG 2: with the unlist-first order (2.6.27 .. 3.9 code) __mmu_notifier_release always ends with
  // synchronize_rcu()/synchronize_srcu(), so exit_mmap waits for a ->release that a racing
  // unregister is still running. The model skips the whole release (and its synchronize) when the
  // list is already empty, so exit frees pages while ->release still runs.
  for (const [era, knob] of [['rfc-2008', false], ['v6', true]] as const) {
    it(`${era}${knob ? ' with releaseOrder unlist-first' : ''}: exit does not free pages while an unregister's ->release is still running`, async () => {
      const m = new Machine({ era: era as Era, memory: { frames: 64 } });
      if (knob) configureNotifiers(m, { releaseOrder: 'unlist-first' });
      const proc = m.mem.createProcess('app');
      const t0 = proc.task('setup');
      const mm = t0.mm!;
      const a = await v(m.mem.mmap(t0, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t0, a, 1));
      const log: string[] = [];
      const sub = new MmuNotifier({ release: (task) => (log.push('release begins'), after(m, task, 5000, () => void log.push('release returns'))) }, 'xpmem');
      await v(mmuNotifierRegister(t0, sub, mm));
      m.mem.observers.subscribe((e) => {
        if (e.kind === 'frame-free') log.push('frame freed');
      });
      m.sched.spawn('closer', (task) => mmuNotifierUnregister(task, sub, mm));
      proc.spawn('exit', (task) => m.mem.exit(task));
      const r = await m.sched.run();
      expect(r.violations).toEqual([]);
      expect(log).toEqual(['release begins', 'release returns', 'frame freed']);
    });
  }
});

describe('review: get/put lifetime', () => {
  // BUG 3: call_srcu() starts its grace period when put is called. The model queues the free and
  // runs every queued free at the end of *any* later-finishing synchronize, including one whose
  // grace period began before the put, so free_notifier runs while a callback of the
  // subscription that began after that synchronize started is still running.
  it('a put queued while a callback runs is not freed by a synchronize that began before the put', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const log: string[] = [];
    // Process 1: an unrelated subscriber whose callback is the SRCU reader the synchronize waits for.
    const p1 = m.mem.createProcess('p1');
    const t1 = p1.task('setup1');
    const other = new MmuNotifier({ invalidateRangeStart: (task) => after(m, task, 10_000, () => 0) }, 'other');
    await v(mmuNotifierRegister(t1, other, t1.mm!));
    const a1 = await v(m.mem.mmap(t1, { length: P, prot: RW, flags: ANON }));
    // Process 2: the get/put subscription whose callback is still running when it is freed.
    const p2 = m.mem.createProcess('p2');
    const t2 = p2.task('setup2');
    const ops: MmuNotifierOps = {
      allocNotifier: () => new MmuNotifier(ops, 'sva'),
      freeNotifier: () => void log.push('sva freed'),
      invalidateRangeStart: (task) => (log.push('sva start begins'), after(m, task, 20_000, () => (log.push('sva start returns'), 0))),
    };
    const sva = await v(mmuNotifierGet(t2, ops, t2.mm!));
    const a2 = await v(m.mem.mmap(t2, { length: P, prot: RW, flags: ANON }));
    p1.spawn('munmap1', (task) => m.mem.munmap(task, a1, P)); // reader R0 until t=10000
    m.sched.spawn('module_exit', (task) => mmuNotifierSynchronize(task, m)); // grace period waits for R0
    p2.spawn('munmap2', (task) => m.mem.munmap(task, a2, P)); // reader R1 (sva's start) until t=20000
    m.sched.spawn('put', (task) => mmuNotifierPut(task, sva)); // last put while R1 runs
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log.indexOf('sva start returns')).toBeGreaterThanOrEqual(0);
    if (log.includes('sva freed')) expect(log.indexOf('sva freed')).toBeGreaterThan(log.indexOf('sva start returns'));
  });
});

describe('review: -EAGAIN pairing (core-mm OOM reaper)', () => {
  // BUG 4: __oom_reap_task_mm skips the vma on *any* non-zero return of
  // mmu_notifier_invalidate_range_start_nonblock(). notify.ts already counted the bracket as done
  // for any non-zero answer, but reapOnce only tests `ret === EAGAIN`: for another error it zaps
  // the vma and calls end, so mm.rangesInFlight goes negative and the driver gets an unpaired end.
  it('a non-EAGAIN failure of a non-blockable start skips the vma, makes no end call, and leaves rangesInFlight at 0', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const log: string[] = [];
    const ENOMEM = -12;
    await v(mmuNotifierRegister(t, new MmuNotifier({ invalidateRangeStart: () => (log.push('bad:start'), ENOMEM) }, 'bad'), t.mm!));
    await v(mmuNotifierRegister(t, new MmuNotifier({ invalidateRangeEnd: () => void log.push('other:end') }, 'other'), t.mm!));
    expect(await v(reapOnce(m.mem, m.task('oom_reaper'), t.mm!))).toBe(false);
    // the core pairs the failure with one end per subscriber that has one; the caller makes none
    expect(log).toEqual(['bad:start', 'other:end']);
    expect(t.mm!.rangesInFlight).toBe(0);
    expect(t.mm!.rss).toBeGreaterThan(0); // the vma was skipped
    // the kernel WARNs (only -EAGAIN is allowed)
    expect(m.report.violations.map((x) => x.kind)).toEqual(['notifier-warn']);
  });
});

describe('review: interval notifier remove', () => {
  // BUG 5: mmu_interval_notifier_remove() begins with an unconditional might_sleep(); the model only
  // checks might-sleep when it actually has to wait, so a remove under a spinlock goes unreported.
  it('remove from atomic context is a might-sleep violation even when no invalidation is active', async () => {
    const { m, t } = setup('v6');
    const isub = new MmuIntervalNotifier({ invalidate: (_t, i, _r, s) => (mmuIntervalSetSeq(i, s), true) }, 'dmirror');
    await v(mmuIntervalNotifierInsert(t, isub, t.mm!, 0x10000, P));
    const lock = new SpinLock(m, 'drv_lock');
    await v(lock.lock(t));
    await v(mmuIntervalNotifierRemove(t, isub));
    await v(lock.unlock(t));
    expect(m.report.violations.map((x) => x.kind)).toEqual(['might-sleep']);
  });
});

describe('review: rfc-2008 external-rmap notifier', () => {
  // BUG 6: mmuRmapNotifierUnregister checks only `notifier.listed`, not that it is listed on *this*
  // machine; list.splice(indexOf(...) = -1, 1) then drops the last notifier of this machine.
  it('unregistering a notifier on a machine it is not registered on is EINVAL and disturbs nothing', async () => {
    const A = new Machine({ era: 'rfc-2008' });
    const B = new Machine({ era: 'rfc-2008' });
    const onA = new MmuRmapNotifier({ invalidatePage: () => undefined }, 'onA');
    const onB = new MmuRmapNotifier({ invalidatePage: () => undefined }, 'onB');
    mmuRmapNotifierRegister(A, onA);
    mmuRmapNotifierRegister(B, onB);
    expect(await code(() => mmuRmapNotifierUnregister(B.task('t'), B, onA))).toBe('EINVAL');
    expect(onA.listed).toBe(true);
    // onB must still be on B's list: unregistering it works
    expect(await code(() => mmuRmapNotifierUnregister(B.task('t2'), B, onB))).toBe('ok');
    expect(await code(() => mmuRmapNotifierUnregister(A.task('t3'), A, onA))).toBe('ok');
  });

  // BUG 7: a rejected call must leave the machine exactly as it was, but rmapList() installs the
  // external-rmap port (machine.mem.externalRmap) before the argument checks run.
  it('a rejected unregister / export leaves the machine without an external-rmap port', async () => {
    const m = new Machine({ era: 'rfc-2008' });
    const t = m.task('t');
    expect(m.mem.externalRmap).toBeNull();
    expect(await code(() => mmuRmapNotifierUnregister(t, m, new MmuRmapNotifier({ invalidatePage: () => undefined }, 'never')))).toBe('EINVAL');
    expect(m.mem.externalRmap).toBeNull();
  });
});

