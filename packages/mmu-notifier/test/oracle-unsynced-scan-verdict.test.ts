/**
 * The unsynced-write rule judges a reclaim scan only when it frees the page: a scan that
 * keeps the written page (pinned, or referenced) says nothing yet, and a driver that
 * dirties the page before letting it go, the page then written back, is never reported.
 */
import { MAP, setPageDirty, shrinkPage } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, RW, setup, v } from './support/helpers.js';
import { kinds, messages, reclaim } from './support/oracle-helpers.js';

describe('unsynced device writes: only a scan that frees the page judges them', () => {
  /** A device pins a shared file page written back once, writes 8 through it; kswapd scans it once while pinned. */
  async function writtenThenScannedPinned() {
    const { m, t } = setup('v6');
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, 1));
    const dev = new DeviceMmu(m, { name: 'dma', driverClass: 'holds-references' });
    await v(t.mm!.mmapLock.downRead(t));
    const [pfn] = await v(dev.getUserPages(t, t.mm!, a, 1, { write: true, pin: true }));
    await v(t.mm!.mmapLock.upRead(t));
    await v(m.mem.fsync(t, file));
    const h = dev.establish(t, t.mm!, a, pfn!, { writable: true });
    await v(dev.write(t, h, 8));
    const verdict = await v(shrinkPage(m.mem, m.task('kswapd'), pfn!, {}));
    expect(verdict).not.toBe('freed');
    return { m, t, a, file, dev, h, pfn: pfn! };
  }

  it('a scan that keeps the page reports nothing, and the page dirtied before release and written back is never lost', async () => {
    const { m, t, a, file, dev, h, pfn } = await writtenThenScannedPinned();
    expect(messages(m, 'lost-write')).toEqual([]);
    expect(dev.testAndClearDirty(h)).toBe(true);
    setPageDirty(m.mem, pfn); // kvm_set_pfn_dirty: the write reaches the file at the next writeback
    dev.drop(h);
    await v(dev.unpinUserPage(t, pfn));
    await v(m.mem.munmap(t, a, P));
    await v(m.mem.fsync(t, file));
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    expect(messages(m, 'lost-write')).toEqual([]);
  });

  it('the same page let go clean is lost at the scan that frees it', async () => {
    const { m, t, a, dev, h, pfn } = await writtenThenScannedPinned();
    dev.drop(h);
    await v(dev.unpinUserPage(t, pfn));
    await v(m.mem.munmap(t, a, P));
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    expect(kinds(m).filter((k) => k === 'lost-write')).toEqual(['lost-write']);
  });
});
