import { configureSwap, migratePage, PROT, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import {
  coherenceOracle,
  DeviceMmu,
  MmuNotifier,
  mmuNotifierClearYoung,
  mmuNotifierGet,
  mmuNotifierPut,
  mmuNotifierRegister,
  mmuNotifierTestYoung,
  mmuNotifierUnregister,
  type DeviceTranslation,
  type MmuNotifierOps,
} from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';
import { HoldsRefDriver, IntervalDriver, NoRefDriver, register, SharedTlbDriver, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, reclaim } from './support/oracle-helpers.js';

/*
 * Regressions from the coherence oracle's first review: each `it` failed before the fix
 * of the bug named in its comment, and passes since.
 */

describe('stale read: the baseline must follow the data, not the frame', () => {
  // BUG stale-baseline-reset: baselineOnPte re-captures the baseline whenever the PTE
  // moves to another frame, including content-preserving moves (migration, swap-in to a
  // new frame). A CPU write made before the move becomes the "baseline", so the stale
  // read it causes is never reported.
  it('reports the stale read after the process page (already written by the CPU) is migrated', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200)); // COW: the process now sees 200 in a new frame
    const copy = frameAt(t, a);
    await v(migratePage(m.mem, t, copy)); // compaction moves the process's page: same data, new frame
    expect(frameAt(t, a)).not.toBe(copy);
    expect(await v(m.mem.read(t, a))).toBe(200);
    expect(await drv.read(t, a)).toBe(100); // the device still reads the pre-COW value
    expect(kinds(m)).toEqual(['stale-read', 'revoked-translation']); // without the migration this is reported
  });

  // BUG stale-not-judged-while-swapped: judgeOutcome never judges a read when the PTE is
  // not present. The design: "the primary maps a different frame (or nothing) ... and the
  // CPU has written there since". A swapped-out page still holds the process's data.
  it('reports a stale read while the process page the CPU wrote is swapped out', async () => {
    const { m, t } = setup('v6');
    configureSwap(m.mem, 16);
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200));
    expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('freed'); // 200 now lives in a swap slot
    expect(frameAt(t, a)).toBe(-1);
    expect(await drv.read(t, a)).toBe(100);
    expect(kinds(m)).toEqual(['stale-read', 'revoked-translation']);
  });
});

/**
 * A no-references driver with aging through its accessed bits; `during` runs inside
 * clear_young after the driver has tested-and-cleared the bits and before it returns,
 * like a vCPU/engine touching memory when the driver drops `mmu_lock` (a preemption
 * point) — the hardware keeps running during the callback.
 */
async function agingDriver(m: Machine, t: Task, during: (dev: DeviceMmu, mm: Mm) => void): Promise<{ dev: DeviceMmu; mm: Mm }> {
  const mm = t.mm!;
  const dev = new DeviceMmu(m, { name: 'kvm', driverClass: 'no-references' });
  const ops: MmuNotifierOps = {
    clearYoung: (_task, _sub, _mm, start, end) => {
      let young = false;
      for (const h of dev.translations(mm)) if (h.address < end && h.address + P > start && dev.testAndClearAccessed(h)) young = true;
      during(dev, mm);
      return young;
    },
    testYoung: (_task, _sub, _mm, address) => dev.lookup(mm, address)?.accessed ?? false,
    invalidateRangeStart: (_task, _sub, range) => (dev.dropRange(range.mm, range.start, range.end), 0),
    release: () => void dev.dropAll(),
  };
  const sub = new MmuNotifier(ops, 'kvm');
  dev.answerFor(sub);
  await v(mmuNotifierRegister(t, sub, mm));
  return { dev, mm };
}

describe('aging: a device access racing with the clear_young callback', () => {
  // BUG aging-callback-atomic: AgingRule treats a clear as happening at the callback's
  // return. An access made after the driver cleared its bit but before the callback
  // returned is wiped out, and the correct "young" answer of test_young is reported.
  it('does not report test_young answering young for a page the device accessed after the driver cleared its bit', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const a = await anonPages(m, t);
    const { dev, mm } = await agingDriver(m, t, (d, dmm) => {
      const h = d.lookup(dmm, a);
      if (h !== undefined) void d.read(engine, h); // after the clear: sets the accessed bit again
    });
    const h = dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    await v(dev.read(t, h));
    expect(await v(mmuNotifierClearYoung(t, mm, a, a + P))).toBe(true);
    expect(h.accessed).toBe(true); // the engine's access came after the clear
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(true); // right: accessed since the clear
    expect(kinds(m)).toEqual([]);
  });

  // BUG aging-callback-atomic (other direction): an access after the driver looked at
  // its bits is charged to the answer the driver had already computed.
  it('does not report clear_young answering not young when the only access came after the driver tested its bit', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const a = await anonPages(m, t);
    const { dev, mm } = await agingDriver(m, t, (d, dmm) => {
      const h = d.lookup(dmm, a);
      if (h !== undefined) void d.read(engine, h);
    });
    const h = dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    expect(await v(mmuNotifierClearYoung(t, mm, a, a + P))).toBe(false); // nothing had accessed it when tested
    expect(h.accessed).toBe(true);
    expect(kinds(m)).toEqual([]);
  });
});

describe('aging: two devices answering for one subscription', () => {
  // BUG aging-last-access-only: AgingRule keeps one "last access" handle per page and
  // subscription, so a later access by another device (whose handle is then dropped)
  // hides an earlier access through a handle still held: the "answered not young"
  // finding it documents can no longer fire.
  it('reports clear_young answering not young although one device still holds a translation it accessed through', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const e1 = new DeviceMmu(m, { name: 'gpu-e1', driverClass: 'no-references' });
    const e2 = new DeviceMmu(m, { name: 'gpu-e2', driverClass: 'no-references' });
    const ops: MmuNotifierOps = {
      clearYoung: () => false, // wrong: e1 accessed the page and still maps it
      invalidateRangeStart: (_task, _sub, range) => (e1.dropRange(range.mm, range.start, range.end), e2.dropRange(range.mm, range.start, range.end), 0),
      release: () => void (e1.dropAll(), e2.dropAll()),
    };
    const sub = new MmuNotifier(ops, 'gpu');
    e1.answerFor(sub);
    e2.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, mm));
    const a = await anonPages(m, t);
    const h1 = e1.establish(t, mm, a, frameAt(t, a));
    const h2 = e2.establish(t, mm, a, frameAt(t, a));
    await v(e1.read(t, h1));
    await v(e2.read(t, h2));
    e2.drop(h2);
    expect(h1.live && h1.accessed).toBe(true);
    expect(await v(mmuNotifierClearYoung(t, mm, a, a + P))).toBe(false);
    expect(kinds(m)).toEqual(['aging']); // reported without e2's access in between
  });
});

describe('leaks: the get/put flow', () => {
  // BUG leak-put-unchecked: LeakRule runs only when `release` returns or at the
  // `unregistered` step; the last mmuNotifierPut (unlist, then free_notifier) is never
  // checked, and exit no longer calls release for the unlisted subscription. The kernel
  // (mmu_notifier_put) requires every spte dropped before the put.
  it('reports translations a device still holds after the last mmuNotifierPut', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const dev = new DeviceMmu(m, { name: 'sva', driverClass: 'no-references' });
    const ops: MmuNotifierOps = {
      allocNotifier: () => new MmuNotifier(ops, 'sva'),
      freeNotifier: () => {},
      invalidateRangeStart: (_task, _sub, range) => (dev.dropRange(range.mm, range.start, range.end), 0),
    };
    const sub = await v(mmuNotifierGet(t, ops, mm));
    dev.answerFor(sub);
    const a = await anonPages(m, t);
    dev.establish(t, mm, a, frameAt(t, a), { writable: true });
    await v(mmuNotifierPut(t, sub)); // the last user: unlisted and freed, the translation still there
    expect(sub.freed).toBe(true);
    expect(dev.translations()).toHaveLength(1);
    expect(kinds(m)).toEqual(['leak']);
  });

  // BUG leak-interval-exit-unchecked: at exit an interval subscription's "release" is the
  // blockable RELEASE invalidate (exit), but LeakRule only listens to a
  // classic `release` returning: a dmirror-like driver that keeps its translations
  // through exit is never reported (only if someone later calls remove).
  it('reports translations an interval driver still holds after exit released it', async () => {
    const { m, t } = setup('v6');
    const drv = new IntervalDriver(m, t.mm!, 'keeps-translations');
    await drv.insert(t);
    const a = await anonPages(m, t);
    await drv.read(t, a);
    await v(m.mem.exit(t));
    expect(drv.device.translations()).toHaveLength(1);
    expect(kinds(m)).toEqual(['leak']);
  });
});

describe('lost write behind a migration entry', () => {
  // BUG pending-superseded-write: PendingWrites judges every pending write against the
  // new frame's content, so an earlier device write overwritten by the same device's
  // later write (which the process does see) is reported lost.
  it('does not report the first of two device writes made before the migration copy', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    const kept: { h?: DeviceTranslation } = {};
    const engine = m.task('engine');
    // As oracle-outcome's single-write case: the bystander's end runs with the migration entry in place, before the copy.
    await v(
      mmuNotifierRegister(
        t,
        spy({
          onEnd: () => {
            void drv.device.write(engine, kept.h!, 0x77);
            void drv.device.write(engine, kept.h!, 0x78);
          },
        }),
        t.mm!,
      ),
    );
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    kept.h = drv.device.lookup(t.mm!, a);
    const moved = await v(migratePage(m.mem, t, frameAt(t, a)));
    expect(frameAt(t, a)).toBe(moved);
    expect(await v(m.mem.read(t, a))).toBe(0x78); // the device's last word is what the process sees
    expect(kinds(m)).toEqual([]); // one write there is quiet; two must be too
  });
});

describe('oracle state is cleaned when address spaces and subscriptions go', () => {
  // BUG aging-state-never-cleaned: AgingRule.bySub (per subscription, per mm, per page,
  // plus the `bulk` list) is never pruned: every page any device ever accessed stays,
  // holding its DeviceTranslation (and through it the Mm) after unregister and exit.
  it('keeps no aging state for exited mms', async () => {
    const { m } = setup('v6');
    const dead: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = m.mem.createProcess(`p${i}`).task('cpu');
      const drv = new NoRefDriver(m, t.mm!, 'none', `kvm${i}`);
      await register(t, drv);
      const a = await anonPages(m, t, 4);
      for (let k = 0; k < 4; k++) await drv.read(t, a + k * P);
      await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
      dead.push(t.mm!.id);
      await v(m.mem.exit(t));
    }
    expect(kinds(m)).toEqual([]);
    const aging = (coherenceOracle(m) as unknown as { core: { aging: { bySub: Map<unknown, { pages: { pagesOf(mm: number): unknown } }> } } }).core.aging;
    const kept = [...aging.bySub.values()].flatMap((s) => dead.filter((id) => s.pages.pagesOf(id) !== undefined));
    expect(kept).toEqual([]);
  });
});

describe('sharing the CPU page table: downgrades may wait', () => {
  // BUG write-through-ro-vs-deferred-downgrade: The design lets a TLB sharing the CPU
  // page table keep a writable entry across a downgrade until the deferred flush
  // (core-mm flushes after mprotect's range, as tlb_finish_mmu does), but judgeOutcome
  // reports a device write in that window as write-through-read-only: a correct driver
  // is reported under a plain mprotect downgrade.
  it('does not report a device write between the write-protect and the deferred flush of mprotect', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    let a = -1;
    // A bystander's end runs after the PTEs were write-protected and before the flush.
    await v(
      mmuNotifierRegister(
        t,
        spy({
          onEnd: () => {
            const h = drv.device.lookup(t.mm!, a);
            if (h !== undefined && h.writable) void drv.device.write(engine, h, 7);
          },
        }),
        t.mm!,
      ),
    );
    a = await anonPages(m, t);
    await drv.write(t, a, 5);
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(drv.device.translations()).toEqual([]); // the flush came, after the range
    expect(await v(m.mem.read(t, a))).toBe(7);
    expect(kinds(m)).toEqual([]);
  });

  // BUG zero-page-zap-no-secondary-flush (core-mm zap.ts, seen through LateFlushRule):
  // zapTable calls arch_invalidate_secondary_tlbs only when it gathered pages to free;
  // clearing only special PTEs (the zero page) flushes nothing (the kernel's
  // zap_present_ptes still does tlb_remove_tlb_entry), so the correct SVA driver keeps
  // the zero-page entry and the next fault there is reported as its late flush.
  it('does not report a late flush after MADV_DONTNEED of a zero-page mapping and a write', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    expect(await drv.read(t, a)).toBe(0); // the zero page
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    await v(m.mem.write(t, a, 5));
    expect(kinds(m)).toEqual([]);
    expect(await drv.read(t, a)).toBe(5); // today the kept zero-page entry still answers 0
  });
});
