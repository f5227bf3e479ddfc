import { ERAS, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import type { KvmSpteInstance } from '../src/index.js';
import { NO_RETRY_CHECK } from '../src/variants/index.js';
import { anonPages, attach, P, range, rig, violations, type Rig } from './support/rig.js';

/**
 * Drive a guest fault and an invalidation in a fixed order: `holder` takes the mmap
 * lock for writing and sleeps, so the vCPU's fault reads the sequence and then blocks in
 * its resolve (`mmap_lock` for reading); the holder then runs `invalidate` (the VM's own
 * callbacks) and lets the fault go on. The fault's check, under `mmu_lock`, must see it.
 */
async function race(r: Rig, d: KvmSpteInstance, address: number, invalidate: (task: Task) => Promise<void>, after: (task: Task) => Promise<void> = async () => {}): Promise<number> {
  const mm = r.t.mm!;
  let value = -1;
  r.proc.spawn('holder', async (task) => {
    await mm.mmapLock.downWrite(task);
    await r.m.sched.sleep(task, 10); // the vCPU reads the sequence and blocks on mmap_lock
    expect(d.stats.faults).toBe(1);
    expect(d.stats.installs).toBe(0);
    await invalidate(task);
    await mm.mmapLock.upWrite(task);
    await after(task);
  });
  r.m.sched.spawn('vcpu', async (task) => {
    value = await d.read(task, address);
  });
  const run = await r.m.sched.run();
  expect(run.violations).toEqual([]);
  return value;
}

function startEnd(r: Rig, d: KvmSpteInstance, start: number, end: number) {
  const ops = d.subscription.ops;
  return {
    start: async (task: Task) => void (await ops.invalidateRangeStart!(task, d.subscription, range(r, start, end))),
    end: async (task: Task) => void (await ops.invalidateRangeEnd!(task, d.subscription, range(r, start, end))),
  };
}

describe.each(ERAS)('the guest fault retry in %s', (era) => {
  it('an invalidation completed between the sequence read and the install forces one retry', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    const inv = startEnd(r, d, a, a + P);
    const value = await race(r, d, a, async (task) => {
      await inv.start(task);
      await inv.end(task);
    });
    expect(value).toBe(100);
    expect(d.invalidateSeq).toBe(1);
    expect(d.stats).toMatchObject({ faults: 1, retries: 1, installs: 1 });
    await d.detach(r.t);
    expect(violations(r.m)).toEqual([]);
  });

  it('without the check (the no-retry-check variant) the same schedule installs at once', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r, NO_RETRY_CHECK.driver);
    const inv = startEnd(r, d, a, a + P);
    await race(r, d, a, async (task) => {
      await inv.start(task);
      await inv.end(task);
    });
    expect(d.stats).toMatchObject({ faults: 1, retries: 0, installs: 1 });
    await d.detach(r.t);
  });

  it('an invalidation in progress on the faulting page holds the fault off until its end', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    const inv = startEnd(r, d, a, a + P);
    const value = await race(r, d, a, inv.start, async (task) => {
      await r.m.sched.sleep(task, 500);
      expect(d.size).toBe(0); // still held off
      await inv.end(task);
    });
    expect(value).toBe(100);
    expect(d.stats.retries).toBeGreaterThan(1);
    expect(d.stats.installs).toBe(1);
    await d.detach(r.t);
  });

  it(`an invalidation in progress on another page ${era === 'v6' ? 'does not hold the fault off (v6: only its gfn range)' : 'holds the fault off too (2008: the whole VM)'}`, async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    const other = startEnd(r, d, a + P, a + 2 * P);
    await race(r, d, a, other.start, async (task) => {
      await r.m.sched.sleep(task, 500);
      await other.end(task);
    });
    if (era === 'v6') expect(d.stats.retries).toBe(0);
    else expect(d.stats.retries).toBeGreaterThan(1);
    expect(d.stats.installs).toBe(1);
    await d.detach(r.t);
  });
});
