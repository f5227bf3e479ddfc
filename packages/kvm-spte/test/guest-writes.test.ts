import { configureSwap, ERAS, MAP, migratePage, shrinkPage, walkPageTable, writebackFile, type ScanVerdict } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { anonPages, attach, code, P, rig, RW, violations } from './support/rig.js';

// What the guest writes is what the host reads after swap, migration and writeback: the
// guest writes only through its sptes, never through the CPU's page table.
describe.each(ERAS)('guest writes survive the host moving the page (%s)', (era) => {
  it('swap: reclaimed after a guest write, the host reads the guest value from swap', async () => {
    const r = rig(era);
    configureSwap(r.m.mem, 16);
    const a = await anonPages(r);
    const d = await attach(r);
    await d.write(r.vcpu, a, 301);
    const pfn = walkPageTable(r.t.mm!, a)!.pfn;
    const verdicts: ScanVerdict[] = [];
    while (verdicts.length < 4 && !verdicts.includes('freed')) verdicts.push(await shrinkPage(r.m.mem, r.m.task('kswapd'), pfn, { writePage: true }));
    expect(verdicts).toContain('freed');
    expect(await r.m.mem.read(r.t, a)).toBe(301);
    expect(await d.read(r.vcpu, a)).toBe(301);
    expect(violations(r.m)).toEqual([]);
    await d.detach(r.t);
  });

  it(era === 'v6' ? 'migration: the host reads the guest value at the new frame, and the guest writes there next' : "migration: refused (EBUSY) while an spte holds the page's reference — 2.6.27's sptes pinned guest memory", async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    await d.write(r.vcpu, a, 401);
    const from = walkPageTable(r.t.mm!, a)!.pfn;
    if (era !== 'v6') {
      expect(await code(() => migratePage(r.m.mem, r.t, from))).toBe('EBUSY');
      expect(walkPageTable(r.t.mm!, a)!.pfn).toBe(from);
      expect(await r.m.mem.read(r.t, a)).toBe(401);
      await d.detach(r.t); // the sptes go, and their references: now it moves
      expect(await migratePage(r.m.mem, r.t, from)).not.toBe(from);
      expect(await r.m.mem.read(r.t, a)).toBe(401);
      expect(violations(r.m)).toEqual([]);
      return;
    }
    const to = await migratePage(r.m.mem, r.t, from);
    expect(to).not.toBe(from);
    expect(await r.m.mem.read(r.t, a)).toBe(401);
    await d.write(r.vcpu, a, 402);
    expect(d.sptes()[0]!.pfn).toBe(to);
    expect(await r.m.mem.read(r.t, a)).toBe(402);
    expect(violations(r.m)).toEqual([]);
    await d.detach(r.t);
  });

  it('writeback: each writeback stores the last guest write (the page is dirty before its spte goes)', async () => {
    const r = rig(era);
    const file = r.m.mem.createFile('disk', 2 * P);
    const a = await r.m.mem.mmap(r.t, { length: 2 * P, prot: RW, flags: MAP.shared, file });
    const d = await attach(r);
    for (const value of [501, 502, 503]) {
      await d.write(r.vcpu, a, value);
      await d.write(r.vcpu, a, value + 1000); // through the spte: no fault
      await writebackFile(r.m.mem, r.t, file);
      expect(file.backing.get(0), `after writing ${value + 1000}`).toBe(value + 1000);
    }
    expect(violations(r.m)).toEqual([]);
    await d.detach(r.t);
  });
});
