import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agingRounds, Completion, ERAS, Machine, MAP, PG, PROT, shrinkPage, type MmEvent, type SecondaryMmuPort, type Task } from '../src/index.js';
import { P, v } from './support/mm-helpers.js';
import { AGING_TABLE_END, AGING_TABLE_START, agingTable } from './support/aging-table.js';
import { RecordingPort } from './support/recording-port.js';

// The seed's claim, run: passes until an idle page mapped N times is freed, following
// the LRU (docs/aging.md is generated from the same runs by `npm run aging-table`).
describe('agingRounds', () => {
  it('plain reclaim in the 2008 eras: `|` 3 passes (inactive, active, inactive), `||` 4 — one more active pass, for every N', async () => {
    for (const era of ['rfc-2008', 'v2.6.27'] as const) {
      for (let n = 1; n <= 8; n++) {
        const or = await agingRounds({ era, mappings: n, combiner: 'or' });
        expect(or).toMatchObject({ rounds: 3, inactive: 2, active: 1, freed: true });
        expect(or.verdicts).toEqual(['activate', 'deactivate', 'freed']);
        const sc = await agingRounds({ era, mappings: n, combiner: 'short-circuit' });
        expect(sc).toMatchObject({ rounds: 4, inactive: 2, active: 2, freed: true });
        expect(sc.verdicts).toEqual(['activate', 'keep-active', 'deactivate', 'freed']);
      }
    }
  });

  it("memcg reclaim (2.6.27): page_referenced skips the mappers' mms, try_to_unmap stops at the first young one — `||` costs N more inactive passes than `|`", async () => {
    for (let n = 1; n <= 8; n++) {
      const or = await agingRounds({ era: 'v2.6.27', mappings: n, combiner: 'or', reclaim: 'memcg' });
      expect(or).toMatchObject({ inactive: n + 1, active: n, freed: true });
      const sc = await agingRounds({ era: 'v2.6.27', mappings: n, combiner: 'short-circuit', reclaim: 'memcg' });
      expect(sc).toMatchObject({ inactive: 2 * n + 1, active: 2 * n, freed: true });
      expect(sc.inactive - or.inactive).toBe(n);
    }
  });

  it('v6: the active list deactivates a referenced non-exec page anyway (3 passes, either combiner); memcg reclaim frees at once (no young check in try_to_unmap)', async () => {
    for (let n = 1; n <= 8; n++) {
      for (const combiner of ['or', 'short-circuit'] as const) {
        expect((await agingRounds({ era: 'v6', mappings: n, combiner })).verdicts).toEqual(['activate', 'deactivate', 'freed']);
        expect((await agingRounds({ era: 'v6', mappings: n, combiner, reclaim: 'memcg' })).verdicts).toEqual(['freed']);
      }
    }
  });

  it('PG_referenced counts once in the 2008 eras (mark_page_accessed protects a page for one pass) and is cleared', async () => {
    const m = new Machine({ era: 'v2.6.27', memory: { frames: 16 } });
    const file = m.mem.createFile('f', P);
    const t = m.mem.createProcess('app').task('app');
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, a));
    const pfn = file.pageCache.get(0)!;
    const k = m.task('kswapd');
    expect(await v(shrinkPage(m.mem, k, pfn))).toBe('activate'); // the young pte
    m.mem.frames.flags[pfn] = m.mem.frames.flags[pfn]! | PG.referenced; // mark_page_accessed
    expect(await v(shrinkPage(m.mem, k, pfn))).toBe('activate'); // PG_referenced alone
    expect(m.mem.frames.flags[pfn] & PG.referenced).toBe(0);
    expect(await v(shrinkPage(m.mem, k, pfn))).toBe('freed');
  });

  it('bad input: a non-positive mapping count, an unknown reclaim scope, memcg in rfc-2008', async () => {
    await expect(agingRounds({ mappings: 0, combiner: 'or' })).rejects.toThrow(/EINVAL: agingRounds: mappings 0/);
    await expect(agingRounds({ mappings: 1, combiner: 'or', reclaim: 'cgroup' as 'memcg' })).rejects.toThrow(/reclaim "cgroup"/);
    await expect(agingRounds({ era: 'rfc-2008', mappings: 1, combiner: 'or', reclaim: 'memcg' })).rejects.toThrow(/rfc-2008 has no memcg/);
  });
});

/** A clean file page mapped by two processes, each with a recording port; returns what reclaim needs. */
async function sharedFilePage(era: (typeof ERAS)[number]): Promise<{ m: Machine; pfn: number; ports: RecordingPort[]; addrs: number[]; tasks: Task[] }> {
  const m = new Machine({ era, memory: { frames: 64 } });
  const file = m.mem.createFile('f', P);
  const ports: RecordingPort[] = [];
  const addrs: number[] = [];
  const tasks: Task[] = [];
  for (const name of ['a', 'b']) {
    const t = m.mem.createProcess(name).task(name);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, a));
    const port = new RecordingPort();
    t.mm!.secondary = port;
    ports.push(port);
    addrs.push(a);
    tasks.push(t);
  }
  return { m, pfn: file.pageCache.get(0)!, ports, addrs, tasks };
}

describe('reclaim call sites (recording port)', () => {
  for (const era of ERAS) {
    it(`${era}: aging under the PT lock and the rmap lock; unmap per era`, async () => {
      const { m, pfn, ports } = await sharedFilePage(era);
      const kswapd = m.task('kswapd');
      const rmapLock = era === 'v6' ? 'i_mmap_rwsem (rwsem, read)' : 'i_mmap_lock (spinlock)';
      const rcu = era === 'v2.6.27' ? ['rcu_read_lock (rcu, read)'] : [];
      const base = ['PG_locked[' + String(pfn) + '] (bit-lock, trylock)', 'fs_reclaim (pseudo)', rmapLock];
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('activate'); // primary bits were young
      for (const port of ports) {
        expect(port.ops()).toEqual(['clear_flush_young']);
        expect(port.calls[0]!.held).toEqual([...base, 'ptl (spinlock)', ...rcu]);
        port.clear();
      }
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('freed');
      for (const port of ports) {
        const ops = port.ops();
        if (era === 'v6') {
          // page_referenced, then try_to_unmap_one: a CLEAR range begun before the PT lock.
          expect(ops).toEqual(['clear_flush_young', 'start', 'secondary_tlbs', 'end']);
          expect(port.calls[1]).toMatchObject({ event: 'clear', blockable: true });
          expect(port.calls[1]!.held).toEqual(base);
          expect(port.calls[2]!.held).toEqual([...base, 'ptl (spinlock)']);
        } else {
          // page_referenced, then try_to_unmap_one's young check and invalidate_page after ptep_clear_flush.
          expect(ops).toEqual(['clear_flush_young', 'clear_flush_young', 'invalidate_page']);
          expect(port.calls[2]!.held).toEqual([...base, 'ptl (spinlock)', ...rcu]);
          expect(port.calls[2]!.preemptCount).toBe(2); // the rmap spinlock and the PT lock
        }
      }
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: an invalidate callback that sleeps is ${era === 'v6' ? 'legal in a blockable range' : 'a might-sleep report in try_to_unmap_one'}`, async () => {
      const { m, pfn, ports } = await sharedFilePage(era);
      const kswapd = m.sched.spawn('kswapd', async (t) => {
        await v(shrinkPage(m.mem, t, pfn)); // clears the young bits
        await v(shrinkPage(m.mem, t, pfn)); // unmaps
      });
      const ack = new Completion(m, 'remote_ack');
      for (const port of ports as SecondaryMmuPort[]) {
        // A message-passing driver: the page-level or range callback waits for a remote acknowledgement.
        port.invalidatePage = (task: Task) => ack.wait(task);
        port.invalidateRangeStart = (task: Task) => andThenZero(ack.wait(task));
      }
      m.sched.spawn('remote', async (t) => {
        for (let i = 0; i < 4; i++) {
          ack.complete();
          await m.sched.sleep(t, 10);
        }
      });
      const r = await m.sched.run();
      void kswapd;
      const sleeps = r.violations.filter((x) => x.kind === 'might-sleep');
      if (era === 'v6') expect(sleeps).toEqual([]);
      else {
        expect(sleeps.length).toBeGreaterThan(0);
        expect(sleeps[0]!.message).toContain('wait_for_completion(remote_ack)');
        expect(sleeps[0]!.heldLocks).toContain('i_mmap_lock (spinlock)');
        expect(sleeps[0]!.heldLocks).toContain('ptl (spinlock)');
      }
    });
  }

  it('every scan is an observation-face event with its verdict', async () => {
    const { m, pfn } = await sharedFilePage('v6');
    const scans: MmEvent[] = [];
    m.mem.observers.subscribe((e) => {
      if (e.kind === 'scan') scans.push(e);
    });
    const t = m.task('kswapd');
    await v(shrinkPage(m.mem, t, pfn));
    await v(shrinkPage(m.mem, t, pfn));
    expect(scans.map((e) => (e.kind === 'scan' ? e.verdict : ''))).toEqual(['activate', 'freed']);
  });
});

function andThenZero(x: void | Promise<void>): number | Promise<number> {
  return x instanceof Promise ? x.then(() => 0) : 0;
}

describe('docs/aging.md', () => {
  it('holds the table the model produces now (regenerate: npm run aging-table -w @secondary-mmu/core-mm -- --write)', async () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/aging.md', import.meta.url)), 'utf8');
    const block = doc.slice(doc.indexOf(AGING_TABLE_START) + AGING_TABLE_START.length, doc.indexOf(AGING_TABLE_END)).trim();
    expect(block).toBe(await agingTable());
  });
});
