import { ERAS, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { IDENTITY_MEMSLOT } from '../src/index.js';
import { anonPages, attach, code, P, range, rig, violations } from './support/rig.js';

const GFN = 0x10_0000; // guest frames far from the identity slot's use here

describe.each(ERAS)('memslots in %s', (era) => {
  it('a VM starts with the identity slot; a slot of its own maps guest frames to a host range', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    expect(d.memslots().map((s) => s.slot)).toEqual([0]);
    expect(d.memslots()[0]).toMatchObject(IDENTITY_MEMSLOT);
    await d.deleteMemslot(r.t, 0);
    expect(await code(() => d.read(r.vcpu, a))).toBe('EFAULT'); // no slot backs it now
    await d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 2, userspaceAddr: a });
    expect(await d.guestRead(r.vcpu, GFN + 1)).toBe(101);
    await d.guestWrite(r.vcpu, GFN, 7);
    expect(await r.m.mem.read(r.t, a)).toBe(7);
    expect(await d.read(r.vcpu, a + P)).toBe(101); // host address → gfn through slot 1
    expect(d.sptes().map((s) => s.gfn)).toEqual([GFN, GFN + 1]);
    expect(await code(() => d.guestRead(r.vcpu, GFN + 2))).toBe('EFAULT');
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  it('bad or overlapping slots are refused and change nothing', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    await d.setMemslot(r.t, { slot: 3, baseGfn: 1, pages: 1, userspaceAddr: a }).catch(() => undefined); // gfn 1 is in slot 0
    expect(d.memslots().map((s) => s.slot)).toEqual([0]);
    expect(await code(() => d.setMemslot(r.t, { slot: 3, baseGfn: 1, pages: 1, userspaceAddr: a }))).toBe('EEXIST');
    await d.deleteMemslot(r.t, 0);
    expect(await code(() => d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 0, userspaceAddr: a }))).toBe('EINVAL');
    expect(await code(() => d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 1, userspaceAddr: a + 1 }))).toBe('EINVAL');
    expect(await code(() => d.setMemslot(r.t, { slot: -1, baseGfn: GFN, pages: 1, userspaceAddr: a }))).toBe('EINVAL');
    expect(await code(() => d.deleteMemslot(r.t, 9))).toBe('EINVAL');
    await d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 2, userspaceAddr: a });
    expect(await code(() => d.setMemslot(r.t, { slot: 1, baseGfn: 2 * GFN, pages: 1, userspaceAddr: a }))).toBe('EEXIST');
    expect(await code(() => d.setMemslot(r.t, { slot: 2, baseGfn: GFN + 1, pages: 1, userspaceAddr: a }))).toBe('EEXIST');
    expect(d.memslots().map((s) => s.slot)).toEqual([1]);
    await d.detach(r.t);
  });

  it('deleting a slot zaps its sptes (and only its), flushing them', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    await d.deleteMemslot(r.t, 0);
    await d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 1, userspaceAddr: a });
    await d.setMemslot(r.t, { slot: 2, baseGfn: 2 * GFN, pages: 1, userspaceAddr: a + P });
    await d.guestWrite(r.vcpu, GFN, 5);
    await d.guestRead(r.vcpu, 2 * GFN);
    const flushes = d.stats.flushes;
    await d.deleteMemslot(r.t, 1);
    expect(d.sptes().map((s) => s.gfn)).toEqual([2 * GFN]);
    expect(d.stats.flushes).toBe(flushes + 1);
    expect(d.vm.tlb.stale).toBe(0);
    expect(d.device.translations().map((h) => h.address)).toEqual([a + P]);
    expect(await code(() => d.guestRead(r.vcpu, GFN))).toBe('EFAULT');
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  it('two slots aliasing one host page: an invalidation of the page zaps both sptes', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    await d.deleteMemslot(r.t, 0);
    await d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 1, userspaceAddr: a });
    await d.setMemslot(r.t, { slot: 2, baseGfn: 2 * GFN, pages: 1, userspaceAddr: a });
    expect(await d.guestRead(r.vcpu, GFN)).toBe(100);
    expect(await d.guestRead(r.vcpu, 2 * GFN)).toBe(100);
    expect(await d.read(r.vcpu, a)).toBe(100); // a host address goes through the lowest-numbered slot
    expect(d.size).toBe(2);
    await r.m.mem.munmap(r.t, a, P);
    expect(d.size).toBe(0);
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  it('a fault that resolved through a slot deleted meanwhile does not install', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    await d.deleteMemslot(r.t, 0);
    await d.setMemslot(r.t, { slot: 1, baseGfn: GFN, pages: 1, userspaceAddr: a });
    const mm = r.t.mm!;
    let result = '';
    r.proc.spawn('holder', async (task: Task) => {
      await mm.mmapLock.downWrite(task);
      await r.m.sched.sleep(task, 10); // the vCPU found slot 1 and blocks in its resolve
      const deleting = d.deleteMemslot(task, 1);
      await mm.mmapLock.upWrite(task);
      await deleting;
    });
    r.m.sched.spawn('vcpu', async (task) => {
      result = await code(() => d.guestRead(task, GFN));
    });
    await r.m.sched.run();
    expect(result).toBe('EFAULT');
    expect(d.stats).toMatchObject({ retries: 1, installs: 0 });
    expect(d.size).toBe(0);
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  if (era === 'v6') {
    it('v6: a slot change waits for the range invalidations in flight', async () => {
      const r = rig(era);
      const a = await anonPages(r);
      const d = await attach(r);
      await d.deleteMemslot(r.t, 0);
      await d.setMemslot(r.t, { slot: 2, baseGfn: 0, pages: 1, userspaceAddr: a }); // so the range touches a slot
      const ops = d.subscription.ops;
      const order: string[] = [];
      r.proc.spawn('invalidator', async (task: Task) => {
        await ops.invalidateRangeStart!(task, d.subscription, range(r, a, a + P));
        await r.m.sched.sleep(task, 300);
        order.push('end');
        await ops.invalidateRangeEnd!(task, d.subscription, range(r, a, a + P));
      });
      r.proc.spawn('vmm', async (task: Task) => {
        await d.setMemslot(task, { slot: 1, baseGfn: GFN, pages: 1, userspaceAddr: a });
        order.push('slot added');
      });
      await r.m.sched.run();
      expect(order).toEqual(['end', 'slot added']);
      expect(d.inProgress).toBe(0);
      expect(d.vm.activeInvalidations).toBe(0);
      await d.detach(r.t);
    });
  }
});

describe('bad guest accesses', () => {
  it('a gfn, an address or a page count that is not one is EINVAL, naming it', async () => {
    const r = rig('v6');
    const a = await anonPages(r);
    const d = await attach(r);
    expect(await code(() => d.guestRead(r.vcpu, -1))).toBe('EINVAL');
    await expect(d.guestWrite(r.vcpu, 1.5, 0)).rejects.toThrow(/1\.5 is not a guest frame number/);
    expect(await code(() => d.read(r.vcpu, Number.NaN))).toBe('EINVAL');
    expect(await code(() => d.prefetch(r.vcpu, a, 0))).toBe('EINVAL');
    expect(await code(() => d.write(r.vcpu, a, -3))).toBe('EINVAL');
    expect(d.size).toBe(0); // refused before faulting anything in
    await d.detach(r.t);
  });
});
