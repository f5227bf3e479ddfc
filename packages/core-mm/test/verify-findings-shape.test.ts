/**
 * What verify returns: without `limit`, 100 findings and one closing count; a finding
 * returned unrecorded is a whole `invariant` violation (no task, no locks, the caller's
 * site, the machine's time), with the frame's history as details only when it names
 * a frame; exactly `limit` findings need no closing count.
 */
import { describe, expect, it } from 'vitest';
import { MAP, verify, type Machine } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

const BASE = 2 ** 33;

/** `pages` written anonymous pages at BASE: the machine and their frames. */
async function pages(n: number): Promise<{ m: Machine; pfns: number[] }> {
  const { m, t } = setup('v6', 128);
  await v(m.mem.mmap(t, { addr: BASE, length: n * P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
  const pfns: number[] = [];
  for (let k = 0; k < n; k++) {
    await v(m.mem.write(t, BASE + k * P, k));
    pfns.push(t.mm!.pageTable.lookup(Math.floor(BASE / P) + k)!.word[k]!);
  }
  return { m, pfns };
}

describe('verify: the findings it returns', () => {
  it('100 by default, then one closing count', async () => {
    const { m, pfns } = await pages(51);
    for (const pfn of pfns) m.mem.frames.mapcount[pfn]! += 5; // two findings each
    const found = verify(m, { record: false });
    expect(found).toHaveLength(101);
    expect(found[100]!.message).toBe('verify: 2 more invariant violation(s) not listed (limit 100)');
    expect(verify(m, { record: false, limit: 102 })).toHaveLength(102); // exactly the limit: no count
    for (const pfn of pfns) m.mem.frames.mapcount[pfn]! -= 5;
    expect(verify(m, { record: false })).toEqual([]);
  });

  it('an unrecorded finding is a whole invariant violation; details only when it names a frame', async () => {
    const { m, pfns } = await pages(1);
    const mm = m.mem.processes[0]!.mm!;
    const pfn = pfns[0]!;
    m.mem.frames.mapcount[pfn]!++;
    mm.rss++;
    const found = verify(m, { record: false });
    expect(found).toEqual([
      { kind: 'invariant', message: `mm ${mm.id}: rss is 2 but 1 present non-special PTEs map frames`, task: '-', heldLocks: [], site: found[0]!.site, time: m.mem.kernel.clock.now },
      {
        kind: 'invariant',
        message: `pfn ${pfn} has mapcount 2 but 1 PTE(s) map it`,
        task: '-',
        heldLocks: [],
        site: found[0]!.site,
        details: m.mem.frames.describe(pfn),
        time: m.mem.kernel.clock.now,
      },
      { ...found[2]!, message: `pfn ${pfn} has refcount 1, below mapcount 2 + pincount 0 + page cache 0 = 2` },
    ]);
    expect(found[0]!.site).toContain('verify-findings-shape.test.ts');
    expect('details' in found[0]!).toBe(false);
    expect(m.report.violations).toEqual([]);
    m.mem.frames.mapcount[pfn]!--;
    mm.rss--;
    expect(verify(m, { record: false })).toEqual([]);
  });
});
