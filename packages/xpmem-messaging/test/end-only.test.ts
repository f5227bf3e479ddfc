import { Machine, MAP, migratePage, PROT, shrinkPage, walkPageTable } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createXpmemDriver, xpmem } from '../src/index.js';
import { xpmemEndOnly, xpmemV2627 } from '../src/variants/index.js';
import { moveAwayProgram, type Trigger } from './support/end-only.js';
import { code } from './support/rig.js';

const FINDINGS: [Trigger, 'v6' | 'rfc-2008'][] = [
  ['punch-hole', 'v6'],
  ['truncate', 'v6'],
  ['punch-hole', 'rfc-2008'],
  ['truncate', 'rfc-2008'],
];

describe("end-only (hpc/xpmem's shape): another process moving a pinned page away goes unseen", () => {
  for (const [trigger, era] of FINDINGS) {
    it(`${era}, ${trigger} by another process: stale-read and revoked-translation, with a replay token that reproduces them`, async () => {
      const found = await moveAwayProgram(xpmemEndOnly, era, trigger);
      expect(found.run.violations.map((x) => x.kind)).toEqual(['stale-read', 'revoked-translation']);
      expect(found.importerRead).toBe(11); // the pinned old page, not the owner's 22
      expect(xpmemEndOnly.driverOn(found.machine).stats.filtered).toBeGreaterThan(0);
      const token = found.run.token;
      const again = await moveAwayProgram(xpmemEndOnly, era, trigger, token);
      expect(again.run.violations.map((x) => x.message)).toEqual(found.run.violations.map((x) => x.message));
      console.log(`end-only ${era} ${trigger}: ${found.run.violations.map((x) => x.kind).join(', ')}; replay ${token}`);
      const correct = await moveAwayProgram(xpmem, era, trigger);
      if (era === 'v6') {
        // The correct driver, same program: recalled in start, the importer faults the new page in.
        expect(correct.run.violations).toEqual([]);
        expect(correct.importerRead).toBe(22);
      } else {
        // The correct 2008 driver never exports a file page (anonymous memory only): the import fault is refused.
        expect(correct.run.violations.map((x) => x.message)).toEqual([expect.stringMatching(/EFAULT: .*anonymous memory only/)]);
      }
    });
  }

  it('rfc-2008, swap-out then write fault: the model reuses the swap-cache page (2.6.27 can_share_swap_page), nothing moves, nothing is reported', async () => {
    const r = await moveAwayProgram(xpmemEndOnly, 'rfc-2008', 'swap-then-write');
    expect(r.run.violations).toEqual([]);
    expect(r.importerRead).toBe(22);
  });

  it('v6: reclaim and migration cannot move the pinned page, so end-only loses nothing there', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const app = m.mem.createProcess('app');
    const t = app.task('setup');
    const a = await m.mem.mmap(t, { length: 4096, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await m.mem.write(t, a, 11);
    const imp = await xpmemEndOnly.attach(t, m, t.mm!);
    const pfn = walkPageTable(t.mm!, a)!.pfn;
    const verdicts: string[] = [];
    const seen: number[] = [];
    m.sched.spawn('importer', async (task) => void (await imp.write(task, a, 44)));
    await m.sched.run();
    m.sched.spawn('kswapd', async (task) => {
      for (let pass = 0; pass < 4; pass++) verdicts.push(await shrinkPage(m.mem, task, pfn, { writePage: true }));
      expect(await code(() => migratePage(m.mem, task, pfn))).toBe('EBUSY');
    });
    const res = await m.sched.run();
    app.spawn('cpu', async (task) => void seen.push(await m.mem.read(task, a)));
    m.sched.spawn('importer2', async (task) => void seen.push(await imp.read(task, a)));
    const last = await m.sched.run();
    expect([...res.violations, ...last.violations]).toEqual([]);
    expect(verdicts).not.toContain('freed');
    expect(walkPageTable(t.mm!, a)!.pfn).toBe(pfn);
    expect(seen).toEqual([44, 44]);
  });

  it('the main entry refuses the end-only mode and exports no variant; the variants subpath builds them', async () => {
    const main = await import('../src/index.js');
    expect(Object.keys(main).filter((k) => /EndOnly|2627/.test(k))).toEqual([]);
    expect(xpmemV2627.eras).toEqual(['v2.6.27']);
    expect(() => createXpmemDriver({ recall: 'end-only' })).toThrow(/variants/);
    expect(xpmemEndOnly.options.recall).toBe('end-only');
    expect(xpmem.options.recall).toBe('start');
  });
});
