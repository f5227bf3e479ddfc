import { ERAS } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { anonPages, attach, rig, violations } from './support/rig.js';

describe('detach is kvm_destroy_vm', () => {
  it.each(ERAS)('%s: v6 unregisters first and its release zaps; the 2008 eras zap, then unregister', async (era) => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    await d.read(r.vcpu, a);
    await d.write(r.vcpu, a + 4096, 7);
    const order: string[] = [];
    const release = d.subscription.ops.release;
    if (release !== undefined) {
      d.subscription.ops.release = (task, sub, mm) => {
        order.push(`release with ${d.size} sptes`);
        return release(task, sub, mm);
      };
    }
    const zapAll = d.vm.sptes.zapAll.bind(d.vm.sptes);
    d.vm.sptes.zapAll = () => {
      order.push(`zap ${d.size}`);
      return zapAll();
    };
    await d.detach(r.t);
    expect(order).toEqual(era === 'v6' ? ['release with 2 sptes', 'zap 2', 'zap 0'] : ['zap 2']);
    expect(d.size).toBe(0);
    expect(d.vm.tlb.stale).toBe(0);
    expect(violations(r.m)).toEqual([]); // no leak when the unregister returns
    expect(await r.m.mem.read(r.t, a + 4096)).toBe(7);
  });
});
