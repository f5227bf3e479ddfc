import { EAGAIN, Machine, MAP, PROT, reapOnce, shrinkPage, pageReferenced, type Era, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { MmuNotifier, MmuRmapNotifier, mmuNotifierRegister, mmuRmapExportPage, mmuRmapNotifierRegister } from '../src/index.js';
import { ANON, code, P, RW, v } from './support/helpers.js';

/**
 * The seed's question, answered by runs: the same callback that sleeps (waiting for a
 * remote acknowledgement, here 1 µs of virtual time) is judged by each era's context.
 */
/** Sleep for real inside the callback (the Promise is the sleep). */
function sleepingStart(m: Machine, correct = false): MmuNotifier {
  return new MmuNotifier(
    {
      invalidateRangeStart: (task: Task, _s, range: MmuNotifierRange) => {
        if (correct && !range.blockable) return EAGAIN;
        const slept = m.sched.sleep(task, 1000);
        return slept instanceof Promise ? slept.then(() => 0) : 0;
      },
    },
    'xpmem',
  );
}

async function munmapWith(era: Era, make: (m: Machine) => MmuNotifier): Promise<Machine> {
  const m = new Machine({ era, memory: { frames: 64 } });
  const proc = m.mem.createProcess('app');
  proc.spawn('cpu0', async (task) => {
    await v(mmuNotifierRegister(task, make(m), task.mm!));
    const a = await v(m.mem.mmap(task, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(task, a, 1));
    await v(m.mem.munmap(task, a, P));
  });
  const r = await m.sched.run();
  expect(r.ok || r.violations.length > 0).toBe(true);
  return m;
}

const kinds = (m: Machine): string[] => m.report.violations.map((x) => x.kind);

describe('the same sleeping invalidate across eras', () => {
  it('v2.6.27: a violation — every callback runs under rcu_read_lock', async () => {
    const m = await munmapWith('v2.6.27', (mm) => sleepingStart(mm));
    expect(kinds(m)).toEqual(['might-sleep']);
    expect(m.report.violations[0]!.message).toMatch(/msleep.*rcu_read_lock depth/);
  });

  it('v6: fine when the range is blockable (munmap)', async () => {
    const m = await munmapWith('v6', (mm) => sleepingStart(mm));
    expect(kinds(m)).toEqual([]);
    expect(m.clock.now).toBeGreaterThanOrEqual(1000);
  });

  it('rfc-2008: fine when not atomic (munmap under mmap_sem), as the RFC documented', async () => {
    const m = await munmapWith('rfc-2008', (mm) => sleepingStart(mm));
    expect(kinds(m)).toEqual([]);
  });

  it('rfc-2008: a violation when atomic (truncate holds the i_mmap spinlock)', async () => {
    const m = new Machine({ era: 'rfc-2008', memory: { frames: 64 } });
    const proc = m.mem.createProcess('app');
    proc.spawn('cpu0', async (task) => {
      await v(mmuNotifierRegister(task, sleepingStart(m), task.mm!));
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(task, { length: P, prot: RW, flags: MAP.shared, file }));
      await v(m.mem.read(task, a));
      await v(m.mem.ftruncate(task, file, 0));
    });
    await m.sched.run();
    // truncate_pagecache unmaps twice (before and after dropping the pages): two splats.
    expect(kinds(m)).toEqual(['might-sleep', 'might-sleep']);
    for (const x of m.report.violations) expect(x.message).toMatch(/preempt_count 1, non-blockable section depth 1/);
  });

  for (const correct of [false, true]) {
    it(`v6: a non-blockable range (OOM reaper) ${correct ? 'answered with -EAGAIN is fine' : 'that sleeps is a violation'}`, async () => {
      const m = new Machine({ era: 'v6', memory: { frames: 64 } });
      const t = m.mem.createProcess('victim').task('victim');
      await v(mmuNotifierRegister(t, sleepingStart(m, correct), t.mm!));
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const mm = t.mm!;
      m.sched.spawn('oom_reaper', (task) => reapOnce(m.mem, task, mm));
      await m.sched.run();
      expect(kinds(m)).toEqual(correct ? [] : ['might-sleep']);
      if (!correct) expect(m.report.violations[0]!.message).toMatch(/non-blockable section/);
    });
  }

  for (const era of ['rfc-2008', 'v2.6.27'] as const) {
    it(`${era}: invalidate_page from reclaim may never sleep (PT lock held)`, async () => {
      const m = new Machine({ era, memory: { frames: 64 } });
      const t = m.mem.createProcess('app').task('cpu0');
      const sub = new MmuNotifier({ invalidatePage: (task) => m.sched.sleep(task, 1000) }, 'xpmem');
      await v(mmuNotifierRegister(t, sub, t.mm!));
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.read(t, a));
      const pfn = file.pageCache.get(0)!;
      m.sched.spawn('kswapd', async (task) => {
        await v(pageReferenced(m.mem, task, pfn)); // clears the young bit
        await v(shrinkPage(m.mem, task, pfn));
      });
      await m.sched.run();
      expect(kinds(m)).toContain('might-sleep');
      expect(m.report.violations.find((x) => x.kind === 'might-sleep')!.message).toMatch(/preempt_count/);
    });
  }

  it('rfc-2008: the external-rmap hook may sleep (page lock only); other eras have no such hook', async () => {
    const m = new Machine({ era: 'rfc-2008', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const seen: number[] = [];
    mmuRmapNotifierRegister(m, new MmuRmapNotifier({ invalidatePage: (task, _n, pfn) => (seen.push(pfn), m.sched.sleep(task, 5000)) }, 'xpmem'));
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, a));
    const pfn = file.pageCache.get(0)!;
    m.sched.spawn('kswapd', async (task) => {
      await v(m.mem.pageLock.lock(task, pfn));
      mmuRmapExportPage(task, m, pfn);
      await v(m.mem.pageLock.unlock(task, pfn));
      await v(pageReferenced(m.mem, task, pfn));
      await v(shrinkPage(m.mem, task, pfn));
    });
    await m.sched.run();
    expect(seen).toEqual([pfn]);
    expect(kinds(m)).toEqual([]);
    expect(m.clock.now).toBeGreaterThanOrEqual(5000);
    for (const era of ['v2.6.27', 'v6'] as const) {
      const other = new Machine({ era });
      expect(await code(() => mmuRmapNotifierRegister(other, new MmuRmapNotifier({ invalidatePage: () => undefined })))).toBe('EINVAL');
    }
  });
});

