import { describe, expect, it } from 'vitest';
import { deviceWalkerMarkPte, Machine, MAP, PAGE_SIZE, pageReferenced, PROT, walkPageTable } from '../src/index.js';

describe('deviceWalkerMarkPte: an IOMMU walker sharing the CPU page table sets the A/D bits', () => {
  it('marks young (and dirty for a write) only a present entry mapping the frame it used', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const mm = t.mm!;
    const a = await m.mem.mmap(t, { length: 2 * PAGE_SIZE, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await m.mem.read(t, a); // the zero page, read-only
    await m.mem.write(t, a + PAGE_SIZE, 5);
    const pfn = walkPageTable(mm, a + PAGE_SIZE)!.pfn;
    const kswapd = m.task('kswapd');
    expect(await pageReferenced(m.mem, kswapd, pfn)).toBe(1); // clears the CPU's young bit
    expect(walkPageTable(mm, a + PAGE_SIZE)!.young).toBe(false);
    expect(deviceWalkerMarkPte(mm, a + PAGE_SIZE, pfn, false)).toBe(true);
    expect(walkPageTable(mm, a + PAGE_SIZE)!.young).toBe(true);
    expect(await pageReferenced(m.mem, kswapd, pfn)).toBe(1); // aging sees the device's use
    // A stale frame, no entry, an exited mm: nothing is marked.
    expect(deviceWalkerMarkPte(mm, a + PAGE_SIZE, pfn + 1, true)).toBe(false);
    expect(walkPageTable(mm, a + PAGE_SIZE)!.young).toBe(false);
    expect(deviceWalkerMarkPte(mm, a + 2 * PAGE_SIZE, pfn, false)).toBe(false);
    const zero = walkPageTable(mm, a)!; // read-only, clean: a device read marks it young, not dirty
    expect(deviceWalkerMarkPte(mm, a, zero.pfn, false)).toBe(true);
    expect([walkPageTable(mm, a)!.young, walkPageTable(mm, a)!.dirty]).toEqual([true, false]);
    const file = m.mem.createFile('f', PAGE_SIZE);
    const f = await m.mem.mmap(t, { length: PAGE_SIZE, prot: PROT.read | PROT.write, flags: MAP.shared, file });
    await m.mem.read(t, f); // a clean page-cache page
    const clean = walkPageTable(mm, f)!;
    expect(clean.dirty).toBe(false);
    expect(deviceWalkerMarkPte(mm, f, clean.pfn, true)).toBe(true); // a device write: writeback will see it
    expect(walkPageTable(mm, f)!.dirty).toBe(true);
    await m.mem.exit(t);
    expect(deviceWalkerMarkPte(mm, a + PAGE_SIZE, pfn, false)).toBe(false);
  });
});
