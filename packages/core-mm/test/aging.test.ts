import { describe, expect, it } from 'vitest';
import { agingRounds, Completion, ERAS, Machine, MAP, PROT, shrinkPage, type MmEvent, type SecondaryMmuPort, type Task } from '../src/index.js';
import { P, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

// The seed's claim, run: rounds until an idle page mapped N times is freed.
describe('agingRounds', () => {
  it('shrink_page_list (page_referenced visits every mapping): `|` frees in 2 rounds, `||` in 3, for every N', async () => {
    for (const era of ERAS) {
      for (let n = 1; n <= 8; n++) {
        expect((await agingRounds({ era, mappings: n, combiner: 'or' })).rounds).toBe(2);
        const sc = await agingRounds({ era, mappings: n, combiner: 'short-circuit' });
        expect(sc.rounds).toBe(3);
        expect(sc.verdicts).toEqual(['activate', 'activate', 'freed']);
      }
    }
  });

  it("try_to_unmap's young check stops at the first young mapping: N+1 rounds with `|`, 2N+1 with `||` (2008); v6 has no young check", async () => {
    for (const era of ['rfc-2008', 'v2.6.27'] as const) {
      for (let n = 1; n <= 8; n++) {
        expect((await agingRounds({ era, mappings: n, combiner: 'or', walk: 'try-to-unmap' })).rounds).toBe(n + 1);
        expect((await agingRounds({ era, mappings: n, combiner: 'short-circuit', walk: 'try-to-unmap' })).rounds).toBe(2 * n + 1);
      }
    }
    expect((await agingRounds({ era: 'v6', mappings: 8, combiner: 'or', walk: 'try-to-unmap' })).rounds).toBe(1);
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
