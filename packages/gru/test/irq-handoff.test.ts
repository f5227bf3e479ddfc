import { runHardirq, type MmuNotifierRange } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { gruTryDropin } from '../src/index.js';
import { anonPages, attach, P, rig } from './support/rig.js';

describe('the TLB-miss interrupt hands what it cannot do to the user path', () => {
  it('a page that needs a fault: the interrupt path fails without sleeping, the user path faults it in and drops it in', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    await r.m.mem.madvise(r.t, a, P, 'dontneed'); // no PTE now
    const d = await attach(r);
    const ctx = d.contextFor(r.dev);
    // The interrupt path alone: synchronous (it never sleeps), and it gives up.
    const outcome = runHardirq(r.dev, (irq) => gruTryDropin(irq, d, ctx.readFault(a, false), true));
    expect(outcome).toBe('user');
    expect(d.stats).toMatchObject({ failedDropins: 1, dropins: 0 });
    // The whole access: miss → interrupt fails → user path (get_user_pages) → dropin → the access.
    expect(await d.read(r.dev, a)).toBe(0);
    expect(d.stats).toMatchObject({ misses: 1, failedDropins: 2, dropins: 1, hits: 0, waits: 0 });
    expect(await d.read(r.dev, a)).toBe(0); // a TLB hit now
    expect(d.stats).toMatchObject({ misses: 1, hits: 1, dropins: 1 });
    expect(r.m.report.violations).toEqual([]);
    await d.detach(r.dev);
  });

  it('a present page: the interrupt path drops it in by itself', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    const d = await attach(r);
    expect(await d.read(r.dev, a)).toBe(100);
    expect(d.stats).toMatchObject({ misses: 1, failedDropins: 0, dropins: 1 });
    await d.detach(r.dev);
  });

  it('the user path in interrupt context would sleep: might-sleep (why the handoff exists)', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    await r.m.mem.madvise(r.t, a, P, 'dontneed');
    const d = await attach(r);
    await Promise.resolve(runHardirq(r.dev, (irq) => gruTryDropin(irq, d, d.contextFor(r.dev).readFault(a, false), false))).catch(() => undefined);
    expect(r.m.report.violations.map((x) => x.kind)).toContain('might-sleep');
  });

  it('an invalidation active: the interrupt path fails, the user path waits on the queue until end, then drops in', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 2);
    const d = await attach(r);
    const sub = d.gms.notifier;
    const range: MmuNotifierRange = { mm: r.t.mm!, start: a + P, end: a + 2 * P, event: 'unmap', blockable: true, owner: null };
    const order: string[] = [];
    await sub.ops.invalidateRangeStart!(r.t, sub, range); // buf[1] is being invalidated; buf[0] waits all the same
    expect(d.gms.rangeActive).toBe(1);
    r.m.sched.spawn('engine', async (task) => {
      const value = await d.read(task, a);
      order.push(`read ${value}`);
    });
    r.m.sched.spawn('invalidator', async (task) => {
      await r.m.sched.sleep(task, 1_000);
      order.push('end');
      await sub.ops.invalidateRangeEnd!(task, sub, range);
    });
    const run = await r.m.sched.run();
    expect(run.violations).toEqual([]);
    expect(order).toEqual(['end', 'read 100']);
    expect(d.stats).toMatchObject({ misses: 1, failedDropins: 1, waits: 1, dropins: 1 });
    await d.detach(r.t);
    expect(r.m.report.violations).toEqual([]);
  });
});
