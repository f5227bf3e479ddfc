/**
 * A device write the process sees is a store for the other translations of the page,
 * even when the frame it went to has no mapping of its own to count: the zero page
 * (never counted in a mapcount, never in a reverse map) written through a translation
 * the driver made writable. The translation of the frame the page lived in before then
 * reads stale; without that write it reads quietly.
 */
import { type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

/**
 * A translation of the page at `a` (written 100), which a forked child keeps mapped; the
 * process then drops the page (MADV_DONTNEED) and reads the zero page there.
 */
async function oldFrameKept(): Promise<{ m: Machine; t: Task; a: number; dev: DeviceMmu; old: DeviceTranslation }> {
  const { m, t } = setup('v6');
  const a = await anonPages(m, t);
  await v(m.mem.fork(t, 'child')); // keeps the frame alive
  const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'holds-references' });
  const old = dev.establish(t, t.mm!, a, frameAt(t, a));
  await v(m.mem.madvise(t, a, P, 'dontneed'));
  expect(await v(m.mem.read(t, a))).toBe(0);
  expect(frameAt(t, a)).toBe(m.mem.allocator.zeroPfn);
  expect(m.mem.frames.mapcount[m.mem.allocator.zeroPfn]).toBe(0);
  return { m, t, a, dev, old };
}

describe('stale-read baseline: a device write into the zero page the process maps', () => {
  it('marks the translation of the old frame: its next read is stale', async () => {
    const { m, t, a, dev, old } = await oldFrameKept();
    const zero = dev.establish(t, t.mm!, a, m.mem.allocator.zeroPfn, { writable: true });
    await v(dev.write(t, zero, 7));
    expect(kinds(m)).toEqual(['write-through-read-only']);
    expect(await v(dev.read(t, old))).toBe(100);
    expect(kinds(m)).toEqual(['write-through-read-only', 'stale-read']);
    expect(messages(m, 'stale-read')).toEqual([
      `dev: read at 0x${a.toString(16)} (mm ${t.mm!.id}) through pfn ${old.pfn} returned 0x64, but the process maps pfn ${zero.pfn} there, written since to 0x7`,
    ]);
  });

  it('without it, the read through the old translation is quiet', async () => {
    const { m, t, dev, old } = await oldFrameKept();
    expect(await v(dev.read(t, old))).toBe(100);
    expect(kinds(m)).toEqual([]);
  });
});
