/**
 * A device write the process does not see (through a translation of a frame the
 * primary no longer maps there) is no store for the page's other translations: after
 * another page is moved onto the address (no store either), a read through the
 * translation of the frame the process mapped stays quiet.
 */
import { MREMAP } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds } from './support/oracle-helpers.js';

describe('stale-read baseline: a device write the process does not see', () => {
  it('marks nothing: the translation of the mapped frame reads quietly after the page is replaced', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t, 2);
    const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'holds-references' });
    await v(t.mm!.mmapLock.downRead(t));
    await v(dev.getUserPages(t, t.mm!, a, 1)); // keeps the frame alive past the mremap
    await v(t.mm!.mmapLock.upRead(t));
    const mapped = dev.establish(t, t.mm!, a, frameAt(t, a));
    const elsewhere = dev.establish(t, t.mm!, a, frameAt(t, a + P), { writable: true });
    await v(dev.write(t, elsewhere, 9)); // into a frame the process does not map at a
    expect(kinds(m)).toEqual(['lost-write']);
    const from = await anonPages(m, t);
    await v(m.mem.write(t, from, 555));
    expect(await v(m.mem.mremap(t, from, P, P, MREMAP.fixed | MREMAP.maymove, a))).toBe(a);
    expect(await v(dev.read(t, mapped))).toBe(100);
    expect(kinds(m)).toEqual(['lost-write']);
  });
});
