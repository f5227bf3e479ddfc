/**
 * When the revoked-translation rule judges, and what: only at the return of a revoking
 * callback (not at aging calls), only for the pages of that call, for range callbacks
 * only once the range is over (a read between start and end is no revoked read yet), at
 * a TLB flush even inside a range; a freed frame is left to use-after-free; the zero page
 * is named as a frame. Each stale translation here holds the same word as the process's
 * page, so no outcome rule speaks and only the revocation can.
 */
import { PROT, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { mmuNotifierRegister, type DeviceMmu, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { HoldsRefDriver, IntervalDriver, NoRefDriver, register, SharedTlbDriver, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

/** Pages at `a`: `n` pages each written 7, and one more (at a + n·P) also written 7 whose frame stale translations use. */
async function sevens(m: Machine, t: Task, n: number): Promise<{ a: number; spare: number }> {
  const a = await anonPages(m, t, n + 1);
  for (let i = 0; i <= n; i++) await v(m.mem.write(t, a + i * P, 7));
  return { a, spare: frameAt(t, a + n * P) };
}

/** A translation of page `address` to `pfn`, a frame the process does not map there (same word: no stale read). */
function stale(dev: DeviceMmu, t: Task, address: number, pfn: number): DeviceTranslation {
  expect(frameAt(t, address)).not.toBe(pfn);
  return dev.establish(t, t.mm!, address, pfn);
}

describe('revoked-translation: judged at revoking returns only', () => {
  it('an aging call over a page whose translation is stale revokes nothing', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!);
    await register(t, drv);
    const { a, spare } = await sevens(m, t, 1);
    const h = stale(drv.device, t, a, spare);
    expect((await reclaim(m, frameAt(t, a), { max: 1 })).length).toBe(1); // clear_flush_young over a's page
    expect(await v(drv.device.read(t, h))).toBe(7);
    expect(kinds(m)).toEqual([]);
  });

  it('a range is judged at its end: a read between start and end is none, one after it is', async () => {
    const { m, t } = setup('v6');
    const { a, spare } = await sevens(m, t, 1);
    const reads: number[] = [];
    const holder: { h?: DeviceTranslation; drv?: HoldsRefDriver } = {};
    // Registered first, so called after the driver's start returned: inside the driver's range.
    await v(mmuNotifierRegister(t, spy({ onStart: () => void reads.push(holder.drv!.device.read(t, holder.h!) as number) }), t.mm!));
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    holder.drv = drv;
    holder.h = stale(drv.device, t, a, spare);
    await v(m.mem.mprotect(t, a, P, PROT.read)); // a range over the page; its PTE keeps its frame
    expect(reads).toEqual([7]);
    expect(kinds(m)).toEqual([]);
    expect(await v(drv.device.read(t, holder.h))).toBe(7);
    expect(messages(m, 'revoked-translation')).toEqual([expect.stringMatching(/kept after invalidate_range_end \[0x[0-9a-f]+, 0x[0-9a-f]+\) by cpu0 returned at \d+ ns; the process maps pfn \d+ there$/)]);
  });

  it('an interval notifier keeping a stale translation: its invalidate inside the range is not judged', async () => {
    const { m, t } = setup('v6');
    const drv = new IntervalDriver(m, t.mm!, 'keeps-translations');
    await drv.insert(t);
    const { a, spare } = await sevens(m, t, 1);
    const h = stale(drv.device, t, a, spare);
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(await v(drv.device.read(t, h))).toBe(7);
    expect(kinds(m)).toEqual([]);
  });

  it('a TLB flush inside a range (munmap) is judged at once', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const { a } = await sevens(m, t, 1);
    expect(await drv.read(t, a)).toBe(7);
    await v(m.mem.fork(t, 'child')); // keeps the frame
    await v(m.mem.munmap(t, a, P));
    expect(await v(drv.device.read(t, drv.device.lookup(t.mm!, a)!))).toBe(7);
    expect(messages(m, 'revoked-translation')).toEqual([expect.stringMatching(/kept after arch_invalidate_secondary_tlbs \[0x[0-9a-f]+, 0x[0-9a-f]+\) by cpu0 returned at \d+ ns; the process maps nothing there$/)]);
    drv.device.dropAll();
  });
});

describe('revoked-translation: what it judges', () => {
  it("only the call's own pages: stale translations of the pages on either side are not revoked", async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const { a, spare } = await sevens(m, t, 3);
    const before = stale(drv.device, t, a, spare);
    const middle = stale(drv.device, t, a + P, spare);
    const after = stale(drv.device, t, a + 2 * P, spare);
    await v(m.mem.mprotect(t, a + P, P, PROT.none)); // one flush, of the middle page
    for (const h of [before, after]) expect(await v(drv.device.read(t, h))).toBe(7);
    expect(kinds(m)).toEqual([]);
    expect(await v(drv.device.read(t, middle))).toBe(7);
    expect(messages(m, 'revoked-translation')).toEqual([expect.stringContaining(`sva: read at 0x${(a + P).toString(16)} `)]);
    drv.device.dropAll();
  });

  it('a revoked translation whose frame was freed since is a use-after-free only', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const { a } = await sevens(m, t, 1);
    expect(await drv.read(t, a)).toBe(7);
    await v(m.mem.mprotect(t, a, P, PROT.none)); // revoked, the frame still the process's
    await v(m.mem.munmap(t, a, P)); // freed
    await v(drv.device.read(t, drv.device.lookup(t.mm!, a)!));
    expect(kinds(m)).toEqual(['late-secondary-flush', 'use-after-free']); // no revoked-translation
    drv.device.dropAll();
  });

  it('names the zero page the process maps now as pfn 0', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const { a } = await sevens(m, t, 1);
    expect(await drv.read(t, a)).toBe(7);
    await v(m.mem.fork(t, 'child')); // keeps the frame
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    expect(await v(m.mem.read(t, a))).toBe(0);
    expect(frameAt(t, a)).toBe(0);
    await v(drv.device.read(t, drv.device.lookup(t.mm!, a)!));
    expect(messages(m, 'revoked-translation')).toEqual([expect.stringMatching(/; the process maps pfn 0 there$/)]);
  });
});
