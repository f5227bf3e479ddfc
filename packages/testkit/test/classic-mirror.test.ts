import { ERAS, MAP, pageReferenced, PROT, shrinkPage } from '@secondary-mmu/core-mm';
import { mmuNotifierClearYoung, mmuNotifierTestYoung } from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import { CLASSIC_MIRROR_CAPABILITIES, classicMirror, type ClassicMirrorInstance } from '../src/index.js';
import { anonPages, attach, calls, code, frameAt, P, rig, RW, v, violations, type Rig } from './support/classic-mirror-helpers.js';

describe('classicMirror: the factory', () => {
  it('declares its name, capabilities and every era', () => {
    expect(classicMirror.name).toBe('classic-mirror');
    expect(classicMirror.capabilities).toEqual({ holdsPageRefs: false, implementsAging: true, mayBlock: false, mayFailStart: false, sharesCpuPageTable: false });
    expect(classicMirror.capabilities).toBe(CLASSIC_MIRROR_CAPABILITIES);
    expect([...classicMirror.eras]).toEqual([...ERAS]);
  });
});

describe.each(ERAS)('classicMirror in %s', (era) => {
  it('attach then detach leaves nothing: no translation, no subscription, no hold', async () => {
    const r = rig(era);
    const a = await anonPages(r, 3);
    const d = await attach(r);
    expect(d.device.driverClass).toBe('no-references');
    expect(d.subscription.listed).toBe(true);
    await v(d.prefetch(r.dev, a, 3));
    expect(d.size).toBe(3);
    expect(await v(d.read(r.dev, a + P))).toBe(101);
    await v(d.detach(r.t));
    expect(d.size).toBe(0);
    expect(d.device.translations()).toEqual([]);
    expect(d.device.holds()).toEqual([]);
    expect(d.subscription.listed).toBe(false);
    await v(d.detach(r.t)); // idempotent
    expect(await code(() => d.read(r.dev, a))).toBe('EFAULT');
    expect(violations(r.m)).toEqual([]);
  });

  it('device reads and writes stay coherent with the CPU', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    expect(await v(d.read(r.dev, a))).toBe(100);
    await v(r.m.mem.write(r.t, a, 7));
    expect(await v(d.read(r.dev, a))).toBe(7);
    await v(d.write(r.dev, a, 8));
    expect(await v(r.m.mem.read(r.t, a))).toBe(8);
    await v(d.write(r.dev, a + P, 9)); // a write fault without a translation first
    expect(await v(r.m.mem.read(r.t, a + P))).toBe(9);
    await v(r.m.mem.write(r.t, a + P, 10));
    expect(await v(d.read(r.dev, a + P))).toBe(10);
    // The device never holds a page reference between faults.
    expect(d.device.holds()).toEqual([]);
    expect(d.stats.retries).toBe(0);
    expect(violations(r.m)).toEqual([]);
  });

  it('munmap zaps the translation; the next access is EFAULT', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    await v(d.write(r.dev, a, 5));
    await v(d.read(r.dev, a + P));
    expect(d.size).toBe(2);
    await v(r.m.mem.munmap(r.t, a, P));
    expect(d.size).toBe(1);
    expect(d.inProgress).toBe(0);
    expect(await code(() => d.read(r.dev, a))).toBe('EFAULT');
    expect(await code(() => d.write(r.dev, a, 1))).toBe('EFAULT');
    expect(await v(d.read(r.dev, a + P))).toBe(101);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it('mprotect: read-only, then a device write is EPERM; read-write again, it writes', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    await v(d.write(r.dev, a, 11));
    await v(r.m.mem.mprotect(r.t, a, P, PROT.read));
    expect(d.size).toBe(0); // the PROTECTION range zapped the writable translation
    expect(await v(d.read(r.dev, a))).toBe(11);
    expect(d.device.translations()[0]!.writable).toBe(false);
    expect(await code(() => d.write(r.dev, a, 12))).toBe('EPERM');
    await v(r.m.mem.mprotect(r.t, a, P, PROT.none));
    expect(await code(() => d.read(r.dev, a))).toBe('EFAULT');
    await v(r.m.mem.mprotect(r.t, a, P, RW));
    await v(d.write(r.dev, a, 13));
    expect(await v(r.m.mem.read(r.t, a))).toBe(13);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it('fork + COW: the device follows the parent, the child keeps its copy', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    expect(await v(d.read(r.dev, a))).toBe(100);
    await v(d.write(r.dev, a + P, 1));
    const child = await v(r.m.mem.fork(r.t, 'child'));
    const ct = child.task('child0');
    expect(d.size).toBe(0); // the fork's range on the parent zapped both
    expect(await v(d.read(r.dev, a))).toBe(100); // read-only, shared with the child
    // The parent's CPU write breaks COW: the device's translation of the old frame goes.
    const before = frameAt(r.t, a);
    await v(r.m.mem.write(r.t, a, 2));
    expect(frameAt(r.t, a)).not.toBe(before);
    expect(await v(d.read(r.dev, a))).toBe(2);
    // A device write breaks COW itself (get_user_pages with FOLL_WRITE).
    await v(d.write(r.dev, a + P, 3));
    expect(await v(r.m.mem.read(r.t, a + P))).toBe(3);
    expect(await v(r.m.mem.read(ct, a + P))).toBe(1);
    expect(await v(r.m.mem.read(ct, a))).toBe(100);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it('MADV_DONTNEED zaps; the device then reads the zero page like the CPU', async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    await v(d.write(r.dev, a, 21));
    await v(r.m.mem.madvise(r.t, a, P, 'dontneed'));
    expect(d.size).toBe(0);
    expect(await v(d.read(r.dev, a))).toBe(0);
    expect(await v(r.m.mem.read(r.t, a))).toBe(0);
    await v(d.write(r.dev, a, 22)); // COW from the zero page
    expect(await v(r.m.mem.read(r.t, a))).toBe(22);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it(`reclaim: a device-accessed page is kept active by clearFlushYoung; an idle one is unmapped${era === 'v6' ? '' : ' (invalidatePage)'} and swapped`, async () => {
    const r = rig(era);
    const a = await anonPages(r);
    const d = await attach(r);
    const kswapd = r.m.task('kswapd');
    expect(await v(d.read(r.dev, a))).toBe(100);
    const pfn = frameAt(r.t, a);
    await v(pageReferenced(r.m.mem, kswapd, pfn)); // clears the CPU's and the device's young bits
    expect(d.device.translations()[0]!.accessed).toBe(false);
    // Only the device touches the page now: its accessed bit keeps the page.
    expect(await v(d.read(r.dev, a))).toBe(100);
    expect(await v(shrinkPage(r.m.mem, kswapd, pfn))).toBe('activate');
    expect(r.trace.findCallbacks({ driver: 'classic-mirror', callback: 'clear_flush_young' }).some((c) => c.result === true)).toBe(true);
    expect(d.size).toBe(1);
    // Idle since: reclaim unmaps it and the mirror hears of it before the frame goes.
    const verdict = await v(shrinkPage(r.m.mem, kswapd, pfn));
    expect(verdict).toBe('freed');
    expect(d.size).toBe(0);
    expect(calls(r, 'invalidate_page')).toBe(era === 'v6' ? 0 : 1);
    expect(await v(d.read(r.dev, a))).toBe(100); // swapped in again
    await v(d.write(r.dev, a, 31));
    expect(await v(r.m.mem.read(r.t, a))).toBe(31);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it('writeback cleans the page and zaps the writable translation; the next device write faults a new one, no write lost', async () => {
    const r = rig(era);
    const file = r.m.mem.createFile('f', P);
    const a = await v(r.m.mem.mmap(r.t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(r.m.mem.write(r.t, a, 1));
    const d = await attach(r);
    await v(d.write(r.dev, a, 2));
    const first = d.device.translations()[0]!;
    const faults = d.stats.faults;
    expect(await v(r.m.mem.fsync(r.t, file))).toBe(1);
    expect(file.backing.get(0)).toBe(2);
    expect(first.live).toBe(false);
    expect(calls(r, 'invalidate_page')).toBe(era === 'v6' ? 0 : 1);
    await v(d.write(r.dev, a, 3));
    expect(d.stats.faults).toBe(faults + 1);
    const second = d.device.translations()[0]!;
    expect(second).not.toBe(first);
    expect(second.writable).toBe(true);
    expect(await v(r.m.mem.fsync(r.t, file))).toBe(1);
    expect(file.backing.get(0)).toBe(3);
    // A device write with no CPU store behind it still reaches the file (dirty propagated at the zap).
    await v(d.write(r.dev, a, 4));
    await v(r.m.mem.munmap(r.t, a, P));
    expect(await v(r.m.mem.fsync(r.t, file))).toBe(1);
    expect(file.backing.get(0)).toBe(4);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it('release at exit tears everything down; detach afterwards is clean', async () => {
    const r = rig(era);
    const a = await anonPages(r, 2);
    const d = await attach(r);
    await v(d.read(r.dev, a));
    await v(d.write(r.dev, a + P, 4));
    await v(r.m.mem.exit(r.t));
    expect(d.size).toBe(0);
    expect(calls(r, 'release')).toBe(1);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });

  it('a scheduled race of a device fault against munmap of the page: never a violation, and the retry path runs', async () => {
    const seeds = Array.from({ length: 24 }, (_, i) => i + 1);
    let retries = 0;
    const outcomes = new Set<string>();
    for (const seed of seeds) {
      const r: Rig = rig(era, { seed, random: true });
      const a = await anonPages(r, 2);
      const d: ClassicMirrorInstance = await attach(r);
      // Odd seeds fault for writing (the lost-write case), even ones for reading (stale or freed).
      const write = seed % 2 === 1;
      r.m.sched.spawn('device', async (task) => {
        if (write) outcomes.add(`write:${await code(() => d.write(task, a, 77))}`);
        else outcomes.add(`read:${await code(() => d.read(task, a))}`);
      });
      r.proc.spawn('unmapper', (task) => r.m.mem.munmap(task, a, P));
      const run = await r.m.sched.run();
      expect(run.violations, `seed ${seed}`).toEqual([]);
      expect(violations(r.m), `seed ${seed}`).toEqual([]);
      expect(d.inProgress).toBe(0);
      expect(d.device.translations().filter((h) => h.address === a)).toEqual([]); // nothing left of the unmapped page
      retries += d.stats.retries;
      await v(d.detach(r.t));
      expect(violations(r.m)).toEqual([]);
    }
    if (process.env.SMMU_PRINT_RATES === '1') console.log(`${era}: ${retries} retries over ${seeds.length} seeds; outcomes ${[...outcomes].sort().join(', ')}`);
    expect(retries).toBeGreaterThan(0);
    expect(outcomes).toContain('read:EFAULT');
  });
});

describe('classicMirror in v6: clearYoung and testYoung', () => {
  it('testYoung reads the device accessed bit without clearing it; clearYoung clears it; the aging rule is quiet', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 2);
    const d = await attach(r);
    const mm = r.t.mm!;
    await v(d.read(r.dev, a));
    await v(d.prefetch(r.dev, a + P, 1)); // mapped, never accessed
    expect(await v(mmuNotifierTestYoung(r.t, mm, a))).toBe(true);
    expect(await v(mmuNotifierTestYoung(r.t, mm, a))).toBe(true); // not cleared
    expect(await v(mmuNotifierTestYoung(r.t, mm, a + P))).toBe(false);
    expect(await v(mmuNotifierClearYoung(r.t, mm, a, a + 2 * P))).toBe(true);
    expect(await v(mmuNotifierTestYoung(r.t, mm, a))).toBe(false);
    expect(await v(mmuNotifierClearYoung(r.t, mm, a, a + 2 * P))).toBe(false);
    await v(d.write(r.dev, a + P, 5));
    expect(await v(mmuNotifierClearYoung(r.t, mm, a + P, a + 2 * P))).toBe(true);
    await v(d.detach(r.t));
    expect(violations(r.m)).toEqual([]);
  });
});
