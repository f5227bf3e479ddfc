import { ERAS, PG, type Era } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createKvmSpte, eraRefs, type KvmSpteRefs } from '../src/index.js';
import { anonPages, attach, code, frameAt, P, range, rig, violations } from './support/rig.js';

/** Every (era, mode) pair the driver declares. */
const MODES: [Era, KvmSpteRefs][] = [...ERAS.map((era): [Era, KvmSpteRefs] => [era, eraRefs(era)]), ['v6', 'per-spte']];

describe.each(MODES)('kvm-spte in %s, refs %s', (era, refs) => {
  const factory = createKvmSpte({ refs });

  it('guest accesses are coherent with the CPU and set the spte accessed and dirty bits', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r, factory);
    expect(await d.read(r.vcpu, a)).toBe(100);
    const [s] = d.sptes();
    expect(s!.gfn).toBe(a / P); // the identity memslot: gfn n is host page n
    expect(s!.accessed).toBe(true);
    expect(s!.dirty).toBe(false);
    expect(s!.writable).toBe(false); // a read fault maps read-only
    await d.write(r.vcpu, a, 7); // upgrades the spte: a write fault
    expect(await r.m.mem.read(r.t, a)).toBe(7);
    expect(d.sptes()[0]!.dirty).toBe(true);
    await r.m.mem.write(r.t, a + P, 9);
    expect(await d.read(r.vcpu, a + P)).toBe(9);
    expect(d.stats).toMatchObject({ faults: 3, retries: 0, installs: 3, zaps: 1 }); // the read-only spte the write replaced
    expect(d.size).toBe(2);
    expect(violations(r.m)).toEqual([]);
    await d.detach(r.t);
    expect(d.size).toBe(0);
    expect(d.device.translations()).toEqual([]);
    expect(d.subscription.listed).toBe(false);
    expect(await code(() => d.read(r.vcpu, a))).toBe('EFAULT');
    expect(violations(r.m)).toEqual([]);
  });

  it(`an spte ${refs === 'per-spte' ? 'holds' : 'holds no'} page reference; zapping it puts it`, async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r, factory);
    const pfn = frameAt(r.t, a);
    const base = r.m.mem.frames.refcount[pfn]!;
    await d.write(r.vcpu, a, 5);
    expect(r.m.mem.frames.refcount[pfn]! - base).toBe(refs === 'per-spte' ? 1 : 0);
    await d.detach(r.t);
    expect(r.m.mem.frames.refcount[pfn]).toBe(base);
    expect(violations(r.m)).toEqual([]);
  });

  it('a zap moves the dirty bit to the page before the reference goes (mprotect read-only)', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r, factory);
    await d.write(r.vcpu, a, 5);
    const pfn = frameAt(r.t, a);
    r.m.mem.frames.flags[pfn] = r.m.mem.frames.flags[pfn]! & ~PG.dirty;
    const flushes = d.stats.flushes;
    await r.m.mem.mprotect(r.t, a, P, 1);
    expect(d.size).toBe(0);
    expect(r.m.mem.frames.flags[pfn] & PG.dirty).toBe(PG.dirty);
    expect(d.stats.flushes).toBe(flushes + 1);
    expect(await d.read(r.vcpu, a)).toBe(5);
    expect(await code(() => d.write(r.vcpu, a, 6))).toBe('EPERM');
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  it('munmap zaps the sptes of the range and flushes; the next access is EFAULT', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r, factory);
    await d.read(r.vcpu, a);
    await d.read(r.vcpu, a + P);
    const before = { ...d.stats };
    await r.m.mem.munmap(r.t, a, P);
    expect(d.size).toBe(1);
    expect(d.inProgress).toBe(0);
    expect(d.invalidateSeq).toBeGreaterThan(0);
    expect(d.stats.zaps - before.zaps).toBe(1);
    expect(d.stats.flushes - before.flushes).toBe(1);
    expect(d.vm.tlb.stale).toBe(0);
    expect(await code(() => d.read(r.vcpu, a))).toBe('EFAULT');
    expect(await d.read(r.vcpu, a + P)).toBe(101);
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  it('aging: clear-flush-young answers the accessed bits, clears them, and flushes when young', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r, factory);
    await d.read(r.vcpu, a);
    const ops = d.subscription.ops;
    const flushes = d.stats.flushes;
    expect(await ops.clearFlushYoung!(r.t, d.subscription, r.t.mm!, a, a + 2 * P)).toBe(true);
    expect(d.stats.flushes).toBe(flushes + 1);
    expect(await ops.clearFlushYoung!(r.t, d.subscription, r.t.mm!, a, a + 2 * P)).toBe(false);
    expect(d.stats.flushes).toBe(flushes + 1);
    expect(d.stats).toMatchObject({ youngCalls: 2, youngAnswers: 1 });
    if (era === 'v6') {
      await d.read(r.vcpu, a);
      expect(await ops.testYoung!(r.t, d.subscription, r.t.mm!, a)).toBe(true);
      expect(await ops.testYoung!(r.t, d.subscription, r.t.mm!, a + P)).toBe(false);
      expect(await ops.clearYoung!(r.t, d.subscription, r.t.mm!, a, a + P)).toBe(true);
      expect(await ops.testYoung!(r.t, d.subscription, r.t.mm!, a)).toBe(false);
      expect(d.stats.flushes).toBe(flushes + 1); // clear_young never flushes
    }
    await d.detach(r.t);
  });

  it('the in-progress bookkeeping: start counts, end bumps the sequence', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r, factory);
    await d.read(r.vcpu, a);
    const ops = d.subscription.ops;
    expect(await ops.invalidateRangeStart!(r.t, d.subscription, range(r, a, a + P))).toBe(0);
    expect(d.inProgress).toBe(1);
    expect(d.size).toBe(0);
    expect(d.vm.invalidateRange).toEqual(era === 'v6' ? { start: a / P, end: a / P + 1 } : null);
    await ops.invalidateRangeEnd!(r.t, d.subscription, range(r, a, a + P));
    expect(d.inProgress).toBe(0);
    expect(d.invalidateSeq).toBe(1);
    await d.detach(r.t);
  });
});

describe('kvm-spte: exit', () => {
  it('v2.6.27: no release — the sptes outlive the exit holding their pages; detach puts them', async () => {
    const r = rig('v2.6.27');
    const a = await anonPages(r);
    const d = await attach(r);
    await d.write(r.vcpu, a, 42);
    const pfn = frameAt(r.t, a);
    await r.m.mem.exit(r.t);
    expect(d.size).toBe(1);
    expect(r.m.mem.frames.refcount[pfn]).toBe(1); // only the spte's reference is left
    expect(await code(() => d.read(r.vcpu, a + P))).toBe('EFAULT'); // no fault on a dead mm
    await d.detach(r.vcpu);
    expect(r.m.mem.frames.flags[pfn]! & PG.free).toBe(PG.free);
    expect(violations(r.m)).toEqual([]);
  });

  it('v6: release closes the VM and zaps everything before the pages go', async () => {
    const r = rig('v6');
    const a = await anonPages(r);
    const d = await attach(r);
    await d.write(r.vcpu, a, 42);
    await r.m.mem.exit(r.t);
    expect(d.size).toBe(0);
    expect(d.vm.closed).toBe(true);
    expect(await code(() => d.read(r.vcpu, a))).toBe('EFAULT');
    await d.detach(r.vcpu);
    expect(violations(r.m)).toEqual([]);
  });
});
