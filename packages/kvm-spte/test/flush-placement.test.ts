import { ERAS, PG } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createKvmSpte } from '../src/index.js';
import { anonPages, attach, code, P, rig } from './support/rig.js';

describe('where the remote TLB flush runs', () => {
  it.each(ERAS)('%s: after spin_unlock in the 2008 eras, under mmu_lock in v6', async (era) => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    await d.read(r.vcpu, a);
    const held: boolean[] = [];
    const flush = d.vm.tlb.flush.bind(d.vm.tlb);
    d.vm.tlb.flush = (task) => {
      held.push(d.vm.mmuLock.holder === task);
      flush(task);
    };
    await r.m.mem.munmap(r.t, a, P);
    expect(held).toEqual([era === 'v6']);
    await d.detach(r.t);
  });
});

describe("why refs: 'none' declares v6 only", () => {
  it("forced into v2.6.27 (no release), an exit frees pages its sptes still map: use-after-free", async () => {
    const r = rig('v2.6.27');
    const a = await anonPages(r);
    const d = await attach(r, createKvmSpte({ refs: 'none' })); // attach directly: the factory does not declare v2.6.27
    await d.read(r.vcpu, a);
    const pfn = d.sptes()[0]!.pfn;
    await r.m.mem.exit(r.t);
    expect(r.m.mem.frames.flags[pfn]! & PG.free).toBe(PG.free);
    expect(d.size).toBe(1); // nothing told the VM
    expect(await code(() => d.read(r.vcpu, a))).toBe('ok');
    expect(r.m.report.violations.map((x) => x.kind)).toContain('use-after-free');
  });
});
