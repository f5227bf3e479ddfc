import { configureSwap, MAP, migratePage, PROT, walkPageTable, type Era, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, mmuNotifierRegister, type DeviceTranslation } from '../src/index.js';
import { code, P, RW, setup, v } from './support/helpers.js';
import { HoldsRefDriver, NoRefDriver, register, SharedTlbDriver, spy, type HoldsRefBug } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

/*
 * The outcome rules: what actually went wrong in the run, for every driver class.
 * Each rule: a purpose-built broken driver makes it fire; the correct driver, same
 * workload, stays quiet.
 */

/**
 * The usual workload's start: a machine of `era` (v6 unless given, with `swapSlots` of
 * swap if any), the driver `make` builds registered on the process, then `pages`
 * anonymous pages at `a` holding 100, 101, …
 */
async function withDriver<D extends NoRefDriver | HoldsRefDriver | SharedTlbDriver>(
  make: (m: Machine, mm: Mm) => D,
  { era = 'v6', swapSlots = 0, pages = 1 }: { era?: Era; swapSlots?: number; pages?: number } = {},
): Promise<{ m: Machine; t: Task; drv: D; a: number }> {
  const { m, t } = setup(era);
  if (swapSlots > 0) configureSwap(m.mem, swapSlots);
  const drv = make(m, t.mm!);
  await register(t, drv);
  return { m, t, drv, a: await anonPages(m, t, pages) };
}

describe('use-after-free', () => {
  it('fires for a device read through a translation whose frame was freed (start left it in place) and names device, address and pfn', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new NoRefDriver(m, mm, 'keeps-translations'));
    await drv.write(t, a, 100);
    const pfn = frameAt(t, a);
    await v(m.mem.munmap(t, a, P));
    const b = await anonPages(m, t); // the LIFO allocator hands the frame out again
    expect(frameAt(t, b)).toBe(pfn);
    const h = drv.device.lookup(t.mm!, a)!;
    await v(drv.device.write(t, h, 0xbad));
    expect(kinds(m)).toEqual(['use-after-free']);
    const [msg] = messages(m, 'use-after-free');
    expect(msg).toContain('noref');
    expect(msg).toContain(`0x${a.toString(16)}`);
    expect(msg).toContain(`pfn ${pfn}`);
    expect(msg).toContain('freed since (now in use at generation');
    expect(m.report.violations[0]!.details!.some((d) => d.includes('history: free'))).toBe(true);
    expect(await v(m.mem.read(t, b))).toBe(0xbad); // the harm: another mapping's page was overwritten
  });

  it('stays quiet for the correct driver: start dropped the translation, the device faults again', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new NoRefDriver(m, mm));
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(drv.device.lookup(t.mm!, a)).toBeUndefined();
    expect(await code(() => drv.read(t, a))).toBe('EFAULT');
    expect(kinds(m)).toEqual([]);
  });

  it('fires for a translation established to a free frame', async () => {
    const { m, t } = setup('v6');
    const dev = new DeviceMmu(m, { name: 'gru0', driverClass: 'no-references' });
    const a = await anonPages(m, t);
    const pfn = frameAt(t, a);
    await v(m.mem.munmap(t, a, P));
    const h = dev.establish(t, t.mm!, a, pfn);
    expect(kinds(m)).toEqual(['use-after-free']);
    expect(messages(m, 'use-after-free')[0]).toContain('a free frame');
    await v(dev.read(t, h));
    expect(kinds(m)).toEqual(['use-after-free', 'use-after-free']);
  });
});

describe('stale read', () => {
  /** The device reads the page (100), the process forks and writes 200 to it, then the device reads it again: what it sees. */
  async function readAcrossCow(bug: HoldsRefBug): Promise<{ m: Machine; seen: number }> {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, bug));
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200)); // COW: the parent gets a copy, then writes it
    return { m, seen: await drv.read(t, a) };
  }

  it('fires when the process maps a new frame (COW after fork) and the CPU wrote it, while the device still reads the old one', async () => {
    const { m, seen } = await readAcrossCow('never-tears-down');
    expect(seen).toBe(100);
    expect(kinds(m)).toEqual(['stale-read', 'revoked-translation']);
    expect(messages(m, 'stale-read')[0]).toMatch(/holdsref: read at 0x[0-9a-f]+ \(mm \d+\) through pfn \d+ returned 0x64, but the process maps pfn \d+ there, written since to 0xc8/);
  });

  it('stays quiet while the CPU has not written the new frame, and when the child (not the device\'s process) gets the copy', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down'), { pages: 2 });
    expect(await drv.read(t, a)).toBe(100);
    expect(await drv.read(t, a + P)).toBe(101);
    const child = await v(m.mem.fork(t, 'child'));
    const c = child.task('c0');
    await v(m.mem.write(c, a, 300)); // the child copies: the parent keeps the device's frame
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.write(t, a + P, 101)); // the parent copies but writes the same value
    expect(await drv.read(t, a + P)).toBe(101);
    expect(kinds(m)).toEqual(['revoked-translation'] /* the read of a + P: the parent's copy revoked it */);
  });

  it("fires for Arcangeli's stale spte: a translation installed from get_user_pages after the invalidation it missed", async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const dev = new DeviceMmu(m, { name: 'kvm08', driverClass: 'holds-references' });
    const a = await anonPages(m, t);
    await v(mm.mmapLock.downRead(t));
    const [pfn] = await v(dev.getUserPages(t, mm, a, 1));
    await v(mm.mmapLock.upRead(t));
    // The window between get_user_pages and the spte: the process forks and writes.
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200));
    const h = dev.establish(t, mm, a, pfn!);
    expect(await v(dev.read(t, h))).toBe(100);
    expect(kinds(m)).toEqual(['stale-read']);
    dev.drop(h);
    dev.putPage(t, pfn!);
  });

  it('fires for a pwrite into the page the process maps now (a hole punch replaced the device\'s page)', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, 5));
    expect(await drv.read(t, a)).toBe(5);
    await v(m.mem.punchHole(t, file, 0, P)); // the reference keeps the device's page; the file drops it
    expect(await v(m.mem.read(t, a))).toBe(0); // a new page cache page, never stored to
    expect(await drv.read(t, a)).toBe(5);
    expect(kinds(m)).toEqual(['revoked-translation'] /* the hole punch revoked it; nothing stale yet */);
    await v(m.mem.pwrite(t, file, 0, [9])); // a store into the page the process maps
    expect(await drv.read(t, a)).toBe(5);
    expect(kinds(m)).toEqual(['revoked-translation', 'stale-read']);
    expect(messages(m, 'stale-read')[0]).toMatch(/returned 0x5, but the process maps pfn \d+ there, written since to 0x9$/);
  });

  it('counts a write by another device, which the process sees, as a store there', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const other = new HoldsRefDriver(m, t.mm!, 'none', false, 'other');
    await register(t, other);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.madvise(t, a, P, 'dontneed')); // the process drops its page; drv's reference keeps it
    await other.write(t, a, 7); // faults a new page in and writes it: no CPU store
    expect(await v(m.mem.read(t, a))).toBe(7);
    expect(await drv.read(t, a)).toBe(100);
    expect(kinds(m)).toEqual(['stale-read', 'revoked-translation']);
  });

  it('stays quiet for the correct driver (teardown in end, fault again)', async () => {
    const { m, seen } = await readAcrossCow('none');
    expect(seen).toBe(200);
    expect(kinds(m)).toEqual([]);
  });
});

describe('lost write', () => {
  /** The device writes 1, the process forks and writes 2 (COW), the device writes 3: what the process reads then. */
  async function writeAcrossCow(bug: HoldsRefBug): Promise<{ m: Machine; seen: number }> {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, bug));
    await drv.write(t, a, 1);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 2));
    await drv.write(t, a, 3);
    return { m, seen: await v(m.mem.read(t, a)) };
  }

  it('fires for a device write to the frame the process left behind at COW', async () => {
    const { m, seen } = await writeAcrossCow('never-tears-down');
    expect(seen).toBe(2);
    expect(kinds(m)).toEqual(['lost-write']);
    expect(messages(m, 'lost-write')[0]).toMatch(/write of 0x3 at .* went to pfn \d+, which the process no longer maps there \(it maps pfn \d+\)/);
  });

  it('fires for a device write after munmap (the reference kept the page, the process is gone from it)', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down', true));
    await drv.write(t, a, 1);
    await v(m.mem.munmap(t, a, P));
    await drv.write(t, a, 2);
    expect(kinds(m)).toEqual(['lost-write']);
    expect(messages(m, 'lost-write')[0]).toContain('the process maps nothing there');
  });

  it('stays quiet for the correct driver: the write lands where the process sees it', async () => {
    const { m, seen } = await writeAcrossCow('none');
    expect(seen).toBe(3);
    expect(kinds(m)).toEqual([]);
  });

  it('waits for the verdict behind a swap entry: a 2008 pinned page swapped out comes back with the device write', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down', true), { era: 'v2.6.27', swapSlots: 16 });
    await drv.write(t, a, 1);
    const pfn = frameAt(t, a);
    expect((await reclaim(m, pfn)).at(-1)).toBe('keep'); // swapped out, the pin keeps the frame in the swap cache
    expect(frameAt(t, a)).toBe(-1);
    await drv.write(t, a, 5);
    expect(kinds(m)).toEqual([]);
    expect(await v(m.mem.read(t, a))).toBe(5); // swap-in maps the cached frame
    expect(frameAt(t, a)).toBe(pfn);
    expect(kinds(m)).toEqual([]);
  });

  it('drops the verdict when the process throws the swapped-out page away', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down', true), { era: 'v2.6.27', swapSlots: 16 });
    await drv.write(t, a, 1);
    expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('keep');
    await drv.write(t, a, 5);
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    expect(await v(m.mem.read(t, a))).toBe(0);
    expect(kinds(m)).toEqual([]);
  });

  it('waits for the verdict behind a migration entry: a write before the copy moves with the page', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    const kept: { h?: DeviceTranslation } = {};
    const engine = m.task('engine');
    // Registered first: its end runs after the driver's (newest first), once the migration entry is in place.
    await v(mmuNotifierRegister(t, spy({ onEnd: () => void drv.device.write(engine, kept.h!, 0x77) }), t.mm!));
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    kept.h = drv.device.lookup(t.mm!, a);
    const moved = await v(migratePage(m.mem, t, frameAt(t, a)));
    expect(frameAt(t, a)).toBe(moved);
    expect(await v(m.mem.read(t, a))).toBe(0x77);
    expect(kinds(m)).toEqual([]);
  });
});

describe('write through a read-only primary', () => {
  it('fires for a device write where the CPU mapping is read-only (the driver ignored the CPU permission)', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new NoRefDriver(m, mm, 'ignores-permission'));
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(await drv.read(t, a)).toBe(100); // faulted in for read, established writable
    await drv.write(t, a, 1);
    expect(kinds(m)).toEqual(['write-through-read-only']);
    expect(messages(m, 'write-through-read-only')[0]).toMatch(/noref: write of 0x1 at 0x[0-9a-f]+ \(mm \d+, pfn \d+\) where the primary mapping is read-only/);
  });

  it('fires for a driver keeping a writable translation across mprotect(PROT_NONE)', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'no-downgrade'));
    await drv.write(t, a, 1);
    await v(m.mem.mprotect(t, a, P, PROT.none));
    await drv.write(t, a, 2);
    expect(messages(m, 'write-through-read-only')).toHaveLength(1);
    expect(messages(m, 'write-through-read-only')[0]).toContain('PROT_NONE');
  });

  it('lets a TLB sharing the CPU page table write only until its flush: an entry its driver kept writable past it is reported', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new SharedTlbDriver(m, mm, 'defers-flush'));
    await drv.write(t, a, 1);
    await v(m.mem.mprotect(t, a, P, PROT.read)); // write-protect, then arch_invalidate_secondary_tlbs: the driver ignores it
    const h = drv.device.lookup(t.mm!, a)!;
    expect(h.writable).toBe(true);
    await v(drv.device.write(t, h, 2));
    expect(kinds(m)).toEqual(['write-through-read-only']);
    drv.device.dropAll();
  });

  it('stays quiet for the correct driver: the fault for write is refused', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new NoRefDriver(m, mm));
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(await drv.read(t, a)).toBe(100);
    expect(await code(() => drv.write(t, a, 1))).toBe('EPERM');
    expect(kinds(m)).toEqual([]);
  });
});

describe('lost write: dirty state never propagated', () => {
  /** A shared file page written by the CPU, then by the device, then written back, then by the device again; unmapped and reclaimed. */
  async function run(bug: 'none' | 'no-downgrade' | 'no-downgrade-no-dirty'): Promise<{ kinds: string[]; stored: number | undefined; messages: string[] }> {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, bug);
    await register(t, drv);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, 1));
    await drv.write(t, a, 7);
    expect(await v(m.mem.fsync(t, file))).toBe(1);
    expect(file.backing.get(0)).toBe(7);
    await drv.write(t, a, 8);
    const pfn = file.pageCache.get(0)!;
    await v(m.mem.munmap(t, a, P));
    expect((await reclaim(m, pfn, { writePage: true })).at(-1)).toBe('freed');
    return { kinds: kinds(m), stored: file.backing.get(0), messages: messages(m, 'lost-write') };
  }

  it('fires when reclaim drops a page the device wrote after its last writeback and nobody marked dirty', async () => {
    const r = await run('no-downgrade-no-dirty');
    expect(r.stored).toBe(7); // the device's 8 is gone
    expect(r.kinds).toEqual(['write-through-read-only', 'lost-write']);
    expect(r.messages[0]).toMatch(/holdsref: write of 0x8 to pfn \d+ at \d+ ns never reached storage: the page was not marked dirty \(setPageDirty\)/);
  });

  it('stays quiet about the write once the driver propagates the dirty bit at teardown', async () => {
    const r = await run('no-downgrade');
    expect(r.stored).toBe(8);
    expect(r.kinds).toEqual(['write-through-read-only']); // keeping write access across writeback is its own finding
  });

  it('stays quiet for the correct driver: write-protected at writeback, faulted again for write', async () => {
    const r = await run('none');
    expect(r.stored).toBe(8);
    expect(r.kinds).toEqual([]);
  });
});

describe('the outcome rules apply to a device with no subscription too', () => {
  it('judges accesses through any handle, whoever issued it', async () => {
    const { m, t } = setup('v6');
    const dev = new DeviceMmu(m, { name: 'dma0', driverClass: 'holds-references' });
    const a = await anonPages(m, t);
    const h = dev.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn, { writable: true });
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    await v(dev.read(t, h));
    expect(kinds(m)).toEqual(['use-after-free']);
  });
});
