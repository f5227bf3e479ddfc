/**
 * The lost-write rule for dirty state never propagated (unsynced-writes.ts): the last
 * device write to a page-cache page, not followed by a writeback, is lost when reclaim
 * frees the page clean. Only the last write is named; anonymous pages are left out
 * (their word always reaches the swap slot). (The rule firing after a writeback, and
 * quiet for a driver that dirties the page, is in oracle-outcome.test.ts.)
 */
import { configureSwap, MAP, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, type DeviceTranslation } from '../src/index.js';
import { P, RW, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

/** A device pins the page at `a` (get_user_pages for write), the page is written back (a file page), then the device writes `values` through a writable handle. */
async function deviceWrites(m: Machine, t: Task, a: number, values: readonly number[], file?: File): Promise<{ dev: DeviceMmu; h: DeviceTranslation; pfn: number }> {
  const dev = new DeviceMmu(m, { name: 'dma', driverClass: 'holds-references' });
  await v(t.mm!.mmapLock.downRead(t));
  const [pfn] = await v(dev.getUserPages(t, t.mm!, a, 1, { write: true, pin: true }));
  await v(t.mm!.mmapLock.upRead(t));
  if (file !== undefined) await v(m.mem.fsync(t, file));
  const h = dev.establish(t, t.mm!, a, pfn!, { writable: true });
  for (const value of values) await v(dev.write(t, h, value));
  return { dev, h, pfn: pfn! };
}

type File = ReturnType<Machine['mem']['createFile']>;

/** A shared file page, written 1 by the CPU. */
async function filePage(m: Machine, t: Task): Promise<{ a: number; file: File }> {
  const file = m.mem.createFile('f', P);
  const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
  await v(m.mem.write(t, a, 1));
  return { a, file };
}

describe('unsynced device writes', () => {
  it('names the last of two writes when reclaim drops the page clean', async () => {
    const { m, t } = setup('v6');
    const { a, file } = await filePage(m, t);
    const { dev, h, pfn } = await deviceWrites(m, t, a, [7, 8], file);
    const handle = h.toString();
    dev.drop(h); // no set_page_dirty: the bug
    await v(dev.unpinUserPage(t, pfn));
    await v(m.mem.munmap(t, a, P));
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    // (Writing through the handle kept writable across the writeback is its own finding.)
    expect(kinds(m)).toEqual(['write-through-read-only', 'write-through-read-only', 'lost-write']);
    expect(messages(m, 'lost-write')).toEqual([expect.stringMatching(/^dma: write of 0x8 to pfn \d+ at \d+ ns never reached storage/)]);
    expect(m.report.violations.at(-1)!.details).toEqual([handle]);
  });

  it('leaves anonymous pages out: reclaim stores their word in the swap slot, dirty or not', async () => {
    const { m, t } = setup('v6');
    configureSwap(m.mem, 16);
    const a = await anonPages(m, t);
    const { dev, h, pfn } = await deviceWrites(m, t, a, [7]);
    dev.drop(h); // no set_page_dirty
    await v(dev.unpinUserPage(t, pfn));
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    expect(await v(m.mem.read(t, a))).toBe(7);
    expect(kinds(m)).toEqual([]);
  });

  it("judges each page by its own frame: another page's writeback, allocation and clean reclaim leave the write pending", async () => {
    const { m, t } = setup('v6');
    const { a, file } = await filePage(m, t);
    const { dev, h, pfn } = await deviceWrites(m, t, a, [8], file);
    const other = await filePage(m, t); // a frame allocated while the write is unsynced
    await v(m.mem.fsync(t, other.file)); // the other page's writeback
    const otherPfn = frameAt(t, other.a);
    await v(m.mem.munmap(t, other.a, P));
    expect((await reclaim(m, otherPfn)).at(-1)).toBe('freed'); // the other page dropped clean
    expect(messages(m, 'lost-write')).toEqual([]);
    dev.drop(h);
    await v(dev.unpinUserPage(t, pfn));
    await v(m.mem.munmap(t, a, P));
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    expect(messages(m, 'lost-write')).toEqual([expect.stringMatching(/^dma: write of 0x8 to pfn \d+ at \d+ ns never reached storage/)]);
  });
});
