/**
 * The stale-read baseline is "a CPU store since the views parted": when the primary maps
 * the handle's frame at its address again the record clears, and a store into the
 * handle's own frame is no record at all. Either way a later change of the page there
 * that is not a store (mremap moving another page onto the address) leaves the read
 * through the old handle quiet; with the record kept, the same read is a `stale-read`.
 */
import { MREMAP, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, type DeviceTranslation } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

/** Move the page at `from` (written `value`) onto `to`: the PTE at `to` changes without a store. */
async function moveOnto(m: Machine, t: Task, to: number, value: number): Promise<void> {
  const from = await anonPages(m, t);
  await v(m.mem.write(t, from, value));
  expect(await v(m.mem.mremap(t, from, P, P, MREMAP.fixed | MREMAP.maymove, to))).toBe(to);
  expect(await v(m.mem.read(t, to))).toBe(value);
}

describe('stale-read baseline: the record clears when the views meet', () => {
  /** A translation of the zero page at an untouched anonymous page; the CPU writes there (a COW copy, a store). */
  async function storedSinceZeroPage(): Promise<{ m: Machine; t: Task; a: number; device: DeviceMmu; h: DeviceTranslation }> {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    expect(await v(m.mem.read(t, a))).toBe(0);
    expect(frameAt(t, a)).toBe(m.mem.allocator.zeroPfn);
    const device = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references' });
    const h = device.establish(t, t.mm!, a, frameAt(t, a));
    await v(m.mem.write(t, a, 7));
    return { m, t, a, device, h };
  }

  it('the zero page mapped there again, then another page moved there: a read through the old translation is quiet', async () => {
    const { m, t, a, device, h } = await storedSinceZeroPage();
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    expect(await v(m.mem.read(t, a))).toBe(0);
    expect(frameAt(t, a)).toBe(h.pfn); // the views meet
    await moveOnto(m, t, a, 555);
    expect(await v(device.read(t, h))).toBe(0);
    expect(kinds(m)).toEqual([]);
  });

  it('without the meeting, the same read is stale', async () => {
    const { m, t, a, device, h } = await storedSinceZeroPage();
    await moveOnto(m, t, a, 555);
    expect(await v(device.read(t, h))).toBe(0);
    expect(kinds(m)).toEqual(['stale-read']);
    expect(messages(m, 'stale-read')[0]).toContain(`dev: read at 0x${a.toString(16)} (mm ${t.mm!.id}) through pfn ${h.pfn} returned 0x0, but the process maps pfn`);
  });
});

describe("stale-read baseline: a store into the handle's own frame is no record", () => {
  it('another page moved there afterwards: a read through the translation (holding its page) is quiet', async () => {
    const { m, t } = setup('v6');
    const a = await anonPages(m, t);
    const device = new DeviceMmu(m, { name: 'dev', driverClass: 'holds-references' });
    await v(t.mm!.mmapLock.downRead(t));
    const [pfn] = await v(device.getUserPages(t, t.mm!, a, 1));
    await v(t.mm!.mmapLock.upRead(t));
    const h = device.establish(t, t.mm!, a, pfn!);
    await v(m.mem.write(t, a, 7)); // into the handle's frame, the one the primary maps
    expect(frameAt(t, a)).toBe(h.pfn);
    await moveOnto(m, t, a, 555);
    expect(await v(device.read(t, h))).toBe(7);
    expect(kinds(m)).toEqual([]);
  });
});
