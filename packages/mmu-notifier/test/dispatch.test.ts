import { EAGAIN, ERAS, reapOnce, TASK_SIZE, verify, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { MmuIntervalNotifier, MmuNotifier, mmuIntervalNotifierInsert, mmuIntervalSetSeq, mmuNotifierRegister, subscriptionsOf } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';

/** A notifier that logs `name:op` into `log`. */
function logger(log: string[], name: string, extra: Partial<ConstructorParameters<typeof MmuNotifier>[0]> = {}): MmuNotifier {
  return new MmuNotifier(
    {
      invalidateRangeStart: (_t, _s, r) => (log.push(`${name}:start ${r.event}`), 0),
      invalidateRangeEnd: (_t, _s, r) => void log.push(`${name}:end ${r.event}`),
      ...extra,
    },
    name,
  );
}

describe('range dispatch', () => {
  for (const era of ERAS) {
    it(`${era}: every listed subscriber sees start then end, newest first (hlist_add_head)`, async () => {
      const { m, t } = setup(era);
      const log: string[] = [];
      await v(mmuNotifierRegister(t, logger(log, 'a'), t.mm!));
      await v(mmuNotifierRegister(t, logger(log, 'b'), t.mm!));
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      await v(m.mem.munmap(t, a, 2 * P));
      expect(log).toEqual(['b:start unmap', 'a:start unmap', 'b:end unmap', 'a:end unmap']);
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: a throwing driver is a driver-error naming it; the others still run and the model stays consistent`, async () => {
      const { m, t } = setup(era);
      const log: string[] = [];
      await v(mmuNotifierRegister(t, logger(log, 'good'), t.mm!));
      const bad = new MmuNotifier({ invalidateRangeStart: () => { throw new Error('boom'); } }, 'bad');
      await v(mmuNotifierRegister(t, bad, t.mm!));
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      await v(m.mem.munmap(t, a, P));
      expect(log).toEqual(['good:start unmap', 'good:end unmap']);
      expect(m.report.violations.map((x) => [x.kind, x.message])).toEqual([['driver-error', 'bad: invalidate_range_start threw: boom']]);
      expect(verify(m, { record: false })).toEqual([]);
      expect(t.mm!.rangesInFlight).toBe(0);
    });
  }

  it('a callback that returns holding a lock is reported (lockdep: held when returning)', async () => {
    const { m, t } = setup('v6');
    const subs: { lock?: import('@secondary-mmu/core-mm').SpinLock } = {};
    const { SpinLock } = await import('@secondary-mmu/core-mm');
    subs.lock = new SpinLock(m, 'drv_lock');
    const sub = new MmuNotifier({ invalidateRangeStart: (task) => (void subs.lock!.lock(task), 0) }, 'leaky');
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, a, P));
    const held = m.report.violations.find((x) => x.kind === 'held-at-return');
    expect(held?.message).toBe('leaky: invalidate_range_start returned holding drv_lock (spinlock)');
    void subs.lock.unlock(t);
  });

  it('v6: arch_invalidate_secondary_tlbs is called from TLB flushes', async () => {
    for (const era of ['v6'] as const) {
      const { m, t } = setup(era);
      const seen: string[] = [];
      const sub = new MmuNotifier({ archInvalidateSecondaryTlbs: (_t, _s, _mm, s, e) => void seen.push(`${s}-${e}`) }, 'sva');
      await v(mmuNotifierRegister(t, sub, t.mm!));
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      await v(m.mem.munmap(t, a, P));
      expect(seen.length).toBeGreaterThan(0);
    }
  });

  it('2008 eras: invalidate_page per unmapped page from the COW path in v2.6.27; never in v6', async () => {
    for (const era of ERAS) {
      const { m, t } = setup(era);
      const pages: number[] = [];
      const sub = new MmuNotifier({ invalidatePage: (_t, _s, _mm, address) => void pages.push(address) }, 'kvm');
      await v(mmuNotifierRegister(t, sub, t.mm!));
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      await v(m.mem.fork(t, 'child'));
      await v(m.mem.write(t, a, 2)); // COW in the parent
      expect(pages).toEqual(era === 'v2.6.27' ? [a] : []);
    }
  });
});

/** The OOM reaper's non-blockable UNMAP over a victim with one anonymous page. */
async function reaperVictim(): Promise<{ m: ReturnType<typeof setup>['m']; t: Task; reaper: Task }> {
  const { m, t } = setup('v6');
  const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
  await v(m.mem.write(t, a, 1));
  return { m, t, reaper: m.task('oom_reaper') };
}

describe('non-blockable ranges and -EAGAIN (v6)', () => {
  it('one failing start: the remaining starts still run, then end on every subscriber that has one; the caller skips the vma and makes no end call', async () => {
    const { m, t, reaper } = await reaperVictim();
    const log: string[] = [];
    await v(mmuNotifierRegister(t, logger(log, 'a'), t.mm!));
    const failing = new MmuNotifier({ invalidateRangeStart: (_t, _s, r) => (log.push(`f:start ${String(r.blockable)}`), EAGAIN) }, 'f');
    await v(mmuNotifierRegister(t, failing, t.mm!));
    await v(mmuNotifierRegister(t, logger(log, 'c'), t.mm!));
    expect(await v(reapOnce(m.mem, reaper, t.mm!))).toBe(false);
    expect(log).toEqual(['c:start unmap', 'f:start false', 'a:start unmap', 'c:end unmap', 'a:end unmap']);
    expect(m.report.violations).toEqual([]);
    expect(t.mm!.rangesInFlight).toBe(0);
    expect(t.mm!.rss).toBeGreaterThan(0); // the vma was skipped
  });

  it('a failing start from a notifier that implements end is the kernel WARN', async () => {
    const { m, t, reaper } = await reaperVictim();
    const log: string[] = [];
    await v(mmuNotifierRegister(t, logger(log, 'x', { invalidateRangeStart: () => EAGAIN }), t.mm!));
    await v(reapOnce(m.mem, reaper, t.mm!));
    expect(m.report.violations.map((x) => x.kind)).toEqual(['notifier-warn']);
    expect(m.report.violations[0]!.message).toMatch(/x: invalidate_range_start failed but the notifier implements invalidate_range_end/);
    expect(log).toEqual(['x:end unmap']); // paired by the core
  });

  it('-EAGAIN from a blockable range, or another error, is the kernel WARN', async () => {
    const { m, t } = setup('v6');
    await v(mmuNotifierRegister(t, new MmuNotifier({ invalidateRangeStart: () => EAGAIN }, 'rude'), t.mm!));
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, a, P));
    expect(m.report.violations.map((x) => x.message)).toEqual(['rude: invalidate_range_start failed with -11 in blockable context (only -EAGAIN, only when not blockable)']);
  });

  it('a failing interval pass answers -EAGAIN at once: the classic list is skipped and the sequence is even again', async () => {
    const { m, t, reaper } = await reaperVictim();
    const log: string[] = [];
    await v(mmuNotifierRegister(t, logger(log, 'list'), t.mm!));
    const isub = new MmuIntervalNotifier({ invalidate: (_t, _i, r) => (log.push(`interval ${String(r.blockable)}`), false) }, 'dmirror');
    await v(mmuIntervalNotifierInsert(t, isub, t.mm!, 0, TASK_SIZE));
    const subs = subscriptionsOf(t.mm!)!;
    expect(await v(reapOnce(m.mem, reaper, t.mm!))).toBe(false);
    expect(log).toEqual(['interval false']);
    expect(subs.activeInvalidateRanges).toBe(0);
    expect(subs.invalidateSeq % 2).toBe(0);
    expect(t.mm!.rangesInFlight).toBe(0);
  });

  it('a correct interval driver (trylock when non-blockable) lets the reaper unmap', async () => {
    const { m, t, reaper } = await reaperVictim();
    let seq = 0;
    const isub = new MmuIntervalNotifier({ invalidate: (_t, i, _r, cur) => (mmuIntervalSetSeq(i, cur), (seq = cur), true) }, 'dmirror');
    await v(mmuIntervalNotifierInsert(t, isub, t.mm!, 0, TASK_SIZE));
    expect(await v(reapOnce(m.mem, reaper, t.mm!))).toBe(true);
    expect(seq % 2).toBe(1);
    expect(t.mm!.rss).toBe(0);
    expect(m.report.violations).toEqual([]);
  });
});

describe('aging dispatch', () => {
  it('clear_flush_young calls every subscriber and ORs the answers; test_young stops at the first young', async () => {
    const { m, t } = setup('v6');
    const { mmuNotifierTestYoung, mmuNotifierClearYoung } = await import('../src/index.js');
    const calls: string[] = [];
    const young = (name: string, y: boolean): MmuNotifier =>
      new MmuNotifier(
        {
          clearFlushYoung: () => (calls.push(`${name}:cfy`), y),
          clearYoung: () => (calls.push(`${name}:cy`), y),
          testYoung: () => (calls.push(`${name}:ty`), y),
        },
        name,
      );
    await v(mmuNotifierRegister(t, young('old', false), t.mm!));
    await v(mmuNotifierRegister(t, young('hot', true), t.mm!));
    await v(mmuNotifierRegister(t, young('cold', false), t.mm!));
    const subs = subscriptionsOf(t.mm!)!;
    expect(await v(subs.clearFlushYoung(t, t.mm!, 0, P))).toBe(true);
    expect(await v(mmuNotifierClearYoung(t, t.mm!, 0, P))).toBe(true);
    expect(await v(mmuNotifierTestYoung(t, t.mm!, 0))).toBe(true);
    expect(calls).toEqual(['cold:cfy', 'hot:cfy', 'old:cfy', 'cold:cy', 'hot:cy', 'old:cy', 'cold:ty', 'hot:ty']);
    void m;
  });
});

/** Unused range helper keeps the type import honest. */
export type _Range = MmuNotifierRange;
