import { ERAS, MAP, type Era, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { mmuIntervalNotifierRemove, mmuNotifierUnregister } from '../src/index.js';
import { P, RW, setup, v } from './support/helpers.js';
import { HoldsRefDriver, IntervalDriver, NoRefDriver, register, SharedTlbDriver } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, reclaim } from './support/oracle-helpers.js';

describe('eras: the same driver against the API of its time and of another', () => {
  /** A device reads an anonymous page; reclaim swaps it out and frees it; the device reads again. */
  async function readAcrossReclaim(era: Era, bug: 'none' | 'no-invalidate-page'): Promise<{ m: Machine; verdicts: string[]; seen: number }> {
    const { m, t } = setup(era);
    const drv = new NoRefDriver(m, t.mm!, bug, 'kvm');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    const verdicts = await reclaim(m, frameAt(t, a));
    // The translation still there means no callback told the driver: it reads through it.
    const h = drv.device.lookup(t.mm!, a);
    const seen = h === undefined ? await drv.read(t, a) : await v(drv.device.read(t, h));
    return { m, verdicts, seen };
  }

  it('v2.6.27: a v6-style start/end driver without references misses invalidate_page from reclaim and reads a freed page', async () => {
    const { m, verdicts } = await readAcrossReclaim('v2.6.27', 'no-invalidate-page');
    expect(verdicts.at(-1)).toBe('freed');
    expect(kinds(m)).toEqual(['use-after-free']);
  });

  it('rfc-2008: the same driver, the same use-after-free', async () => {
    const { m } = await readAcrossReclaim('rfc-2008', 'no-invalidate-page');
    expect(kinds(m)).toEqual(['use-after-free']);
  });

  it('v6: the same driver is correct — reclaim brackets try_to_unmap with start/end', async () => {
    const { m, verdicts, seen } = await readAcrossReclaim('v6', 'no-invalidate-page');
    expect(verdicts.at(-1)).toBe('freed');
    expect(seen).toBe(100); // faulted back from swap
    expect(kinds(m)).toEqual([]);
  });

  for (const era of ['rfc-2008', 'v2.6.27'] as const) {
    it(`${era}: a driver implementing invalidate_page stays quiet`, async () => {
      const { m, seen } = await readAcrossReclaim(era, 'none');
      expect(seen).toBe(100);
      expect(kinds(m)).toEqual([]);
    });
  }
});

interface Driver {
  read(task: Task, address: number): Promise<number>;
  write(task: Task, address: number, value: number): Promise<void>;
}

/**
 * One workload through every kind of invalidation — device writes seen by the CPU, fork
 * and COW, MADV_DONTNEED, mprotect, a shared file written back, reclaim, munmap — with
 * the device checking it always reads what the process sees.
 */
async function workload(m: Machine, t: Task, drv: Driver): Promise<void> {
  const a = await anonPages(m, t, 3);
  await drv.write(t, a, 11);
  expect(await v(m.mem.read(t, a))).toBe(11);
  expect(await drv.read(t, a + P)).toBe(101);
  await v(m.mem.fork(t, 'child'));
  await v(m.mem.write(t, a + P, 201));
  expect(await drv.read(t, a + P)).toBe(201);
  await v(m.mem.madvise(t, a + 2 * P, P, 'dontneed'));
  expect(await drv.read(t, a + 2 * P)).toBe(0);
  await v(m.mem.mprotect(t, a, P, 1 /* PROT_READ */));
  expect(await drv.read(t, a)).toBe(11);

  const file = m.mem.createFile('f', P);
  const f = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
  await drv.write(t, f, 55);
  await v(m.mem.fsync(t, file));
  expect(file.backing.get(0)).toBe(55);
  await drv.write(t, f, 56); // writeback write-protected the page: the device faults for write again
  await v(m.mem.fsync(t, file));
  expect(file.backing.get(0)).toBe(56);

  await reclaim(m, frameAt(t, a + P));
  expect(await drv.read(t, a + P)).toBe(201);
  expect(await v(m.mem.read(t, a + P))).toBe(201);
  await v(m.mem.munmap(t, a, 3 * P));
  await v(m.mem.munmap(t, f, P));
}

describe('correct drivers stay quiet through every invalidation, in every era they can run in', () => {
  for (const era of ERAS) {
    it(`${era}: without references (kvm-spte today)`, async () => {
      const { m, t } = setup(era);
      const drv = new NoRefDriver(m, t.mm!);
      await register(t, drv);
      await workload(m, t, drv);
      await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
      expect(kinds(m)).toEqual([]);
    });

    for (const pin of [false, true]) {
      it(`${era}: holding ${pin ? 'pins' : 'references'} (kvm-spte 2008, xpmem)`, async () => {
        const { m, t } = setup(era);
        const drv = new HoldsRefDriver(m, t.mm!, 'none', pin);
        await register(t, drv);
        await workload(m, t, drv);
        await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
        expect(kinds(m)).toEqual([]);
        expect(drv.device.holds()).toEqual([]);
      });
    }
  }

  it('v6: sharing the CPU page table (arch_invalidate_secondary_tlbs)', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    await workload(m, t, drv);
    await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
    expect(kinds(m)).toEqual([]);
  });

  it('v6: an interval notifier with the read_begin / retry loop (dmirror)', async () => {
    const { m, t } = setup('v6');
    const drv = new IntervalDriver(m, t.mm!);
    await drv.insert(t);
    await workload(m, t, drv);
    await v(mmuIntervalNotifierRemove(t, drv.sub));
    expect(kinds(m)).toEqual([]);
  });

  it('v2.6.27: a driver without references is released at exit in the 2008 order and leaves nothing behind', async () => {
    const { m, t } = setup('v2.6.27');
    const drv = new NoRefDriver(m, t.mm!);
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.write(t, a, 1);
    await v(m.mem.exit(t));
    expect(drv.device.translations()).toEqual([]);
    expect(kinds(m)).toEqual([]);
  });
});
