import { PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { NotifierTrace } from '../src/index.js';
import { P, RW, setup, v } from './support/helpers.js';
import { HoldsRefDriver, NoRefDriver, register, SharedTlbDriver } from './support/oracle-drivers.js';
import { anonPages, kinds, messages } from './support/oracle-helpers.js';

describe('revoked-translation: a read through a translation kept after the callback that revoked it', () => {
  it('fires for a TLB sharing the CPU page table that keeps its entry across mprotect(PROT_NONE) and its flush', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.mprotect(t, a, P, PROT.none));
    expect(kinds(m)).toEqual([]); // the flush returned, but nothing used the entry yet
    expect(await drv.read(t, a)).toBe(100); // same frame, same data: no outcome rule fires
    expect(kinds(m)).toEqual(['revoked-translation']);
    expect(messages(m, 'revoked-translation')[0]).toMatch(/^sva: read at 0x[0-9a-f]+ \(mm \d+\) through pfn \d+, a translation the driver kept after arch_invalidate_secondary_tlbs \[0x[0-9a-f]+, 0x[0-9a-f]+\) by cpu0 returned at \d+ ns; the process maps it PROT_NONE$/);
    expect(await drv.read(t, a)).toBe(100);
    expect(kinds(m)).toEqual(['revoked-translation']); // once per translation
    drv.device.dropAll();
  });

  it('fires for a driver holding references that keeps a translation after the munmap range ended', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(await drv.read(t, a)).toBe(100); // the reference keeps the frame alive: no use-after-free
    expect(kinds(m)).toEqual(['revoked-translation']);
    expect(messages(m, 'revoked-translation')[0]).toMatch(/kept after invalidate_range_end .* the process maps nothing there$/);
  });

  it('stays quiet for correct drivers, and for write-protection (reads stay legal)', async () => {
    const { m, t } = setup('v6');
    const sva = new SharedTlbDriver(m, t.mm!);
    const noref = new NoRefDriver(m, t.mm!); // downgrades for PROTECTION_* events
    await register(t, sva);
    await register(t, noref);
    const a = await anonPages(m, t, 3);
    expect(await sva.read(t, a)).toBe(100);
    await v(m.mem.mprotect(t, a, P, PROT.none));
    await v(m.mem.mprotect(t, a, P, RW));
    expect(await sva.read(t, a)).toBe(100);
    for (const drv of [sva, noref]) expect(await drv.read(t, a + P)).toBe(101);
    await v(m.mem.mprotect(t, a + P, P, PROT.read));
    for (const drv of [sva, noref]) expect(await drv.read(t, a + P)).toBe(101);
    for (const drv of [sva, noref]) expect(await drv.read(t, a + 2 * P)).toBe(102);
    await v(m.mem.munmap(t, a, 3 * P));
    expect(kinds(m)).toEqual([]);
  });

  it('fires for a driver that only downgrades to read-only for mprotect(PROT_NONE), which the CPU cannot read', async () => {
    const { m, t } = setup('v6');
    const noref = new NoRefDriver(m, t.mm!);
    await register(t, noref);
    const a = await anonPages(m, t);
    expect(await noref.read(t, a)).toBe(100);
    await v(m.mem.mprotect(t, a, P, PROT.none));
    expect(await noref.read(t, a)).toBe(100);
    expect(kinds(m)).toEqual(['revoked-translation']);
    expect(messages(m, 'revoked-translation')[0]).toMatch(/^noref: read at .* kept after invalidate_range_end .*; the process maps it PROT_NONE$/);
    noref.device.dropAll();
  });
});

describe('the trace: arch_invalidate_secondary_tlbs carries the event of the range it completes', () => {
  it('inside a range (munmap: unmap), after one (mprotect: protection-vma, fork: protection-page)', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.write(t, a, 1);
    await v(m.mem.mprotect(t, a, P, PROT.read));
    await drv.read(t, a + P);
    await v(m.mem.fork(t, 'child'));
    await drv.read(t, a + P);
    await v(m.mem.munmap(t, a, 2 * P));
    const flushes = trace.findCallbacks({ callback: 'arch_invalidate_secondary_tlbs' }).map((r) => r.event);
    expect(flushes).toEqual(['protection-vma', 'protection-page', 'unmap', 'unmap']); // mprotect split the vma: one zap each
    trace.detach();
  });
});
