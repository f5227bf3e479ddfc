/**
 * A `leak` lists what was left behind, one detail line per translation, reference or
 * pin, so a driver author can find each: the handle, or the frame, its generation, the
 * address it was taken for and when. (When the rule fires is in
 * oracle-aging-leaks.test.ts and oracle-multi-sub.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mmuNotifierUnregister } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { HoldsRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds } from './support/oracle-helpers.js';

describe('leak details', () => {
  it('name each kept translation and page reference', async () => {
    const { m, t } = setup('rfc-2008');
    const drv = new HoldsRefDriver(m, t.mm!, 'none', false, 'kvm08');
    delete drv.sub.ops.release;
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    const h = drv.device.lookup(t.mm!, a)!;
    const [hold] = drv.device.holds();
    await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
    expect(kinds(m)).toEqual(['leak']);
    expect(m.report.violations[0]!.details).toEqual([
      `translation ${h.toString()}`,
      `reference of pfn ${frameAt(t, a)} (generation ${hold!.generation}) for 0x${a.toString(16)}, taken at ${hold!.time} ns`,
    ]);
  });

  it('name each kept pin', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'keeps-references', true, 'xpmem');
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
    expect(kinds(m)).toEqual(['leak']);
    expect(m.report.violations[0]!.details).toEqual([expect.stringMatching(new RegExp(`^pin of pfn ${frameAt(t, a)} \\(generation \\d+\\) for 0x${a.toString(16)}, taken at \\d+ ns$`))]);
    for (const hold of drv.device.holds()) await v(drv.device.unpinUserPage(t, hold.pfn));
  });
});
