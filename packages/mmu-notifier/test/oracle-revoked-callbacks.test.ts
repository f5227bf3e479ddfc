/**
 * The revoked-translation rule by callback: each revoking callback of the driver's own
 * subscription — `invalidate_page` (2008 eras), the interval notifier's RELEASE
 * invalidate at exit, `arch_invalidate_secondary_tlbs` — marks a translation it should
 * have dropped, and the report names the first such return, word for word.
 */
import { PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { P, setup, v } from './support/helpers.js';
import { HoldsRefDriver, IntervalDriver, register, SharedTlbDriver } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

const hexOf = (n: number) => `0x${n.toString(16)}`;

describe('revoked-translation: which callback revoked it', () => {
  it('v2.6.27: invalidate_page at a COW, the driver keeping its translation of the old frame', async () => {
    const { m, t } = setup('v2.6.27');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const a = await anonPages(m, t);
    const old = frameAt(t, a);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child')); // the child keeps the old frame
    m.clock.advance(10);
    await v(m.mem.write(t, a, 100)); // COW, same word: nothing stale
    const now = frameAt(t, a);
    expect(await drv.read(t, a)).toBe(100);
    expect(kinds(m)).toEqual(['revoked-translation']);
    const h = drv.device.translations()[0]!;
    expect(m.report.violations[0]!.details).toEqual([h.toString()]);
    expect(messages(m, 'revoked-translation')[0]).toMatch(
      new RegExp(`^holdsref: read at ${hexOf(a)} \\(mm ${t.mm!.id}\\) through pfn ${old}, a translation the driver kept after invalidate_page \\[${hexOf(a)}, ${hexOf(a + P)}\\) by cpu0 returned at 10 ns; the process maps pfn ${now} there$`),
    );
  });

  it('the RELEASE invalidate of an interval notifier at exit, the frame kept alive by a child', async () => {
    const { m, t } = setup('v6');
    const drv = new IntervalDriver(m, t.mm!, 'keeps-translations');
    await drv.insert(t);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    const child = (await v(m.mem.fork(t, 'child'))).task('child:0');
    await v(m.mem.exit(t));
    expect(kinds(m)).toEqual(['leak']);
    const h = drv.device.translations()[0]!;
    expect(await v(drv.device.read(child, h))).toBe(100);
    expect(kinds(m)).toEqual(['leak', 'revoked-translation']);
    expect(messages(m, 'revoked-translation')[0]).toMatch(/^dmirror: read at 0x[0-9a-f]+ \(mm \d+\) through pfn \d+, a translation the driver kept after interval_invalidate \[0x[0-9a-f]+, 0x[0-9a-f]+\) by cpu0 returned at \d+ ns; the process maps nothing there$/);
  });

  it('names the first revoking return, not a later one', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    m.clock.advance(1000);
    await v(m.mem.mprotect(t, a, P, PROT.none)); // revoked here, at 1000 ns
    m.clock.advance(1000);
    await v(m.mem.mprotect(t, a, P, PROT.read)); // the CPU may read it again: nothing revoked
    m.clock.advance(1000);
    await v(m.mem.mprotect(t, a, P, PROT.none));
    const h = drv.device.lookup(t.mm!, a)!;
    expect(await v(drv.device.read(t, h))).toBe(100);
    expect(messages(m, 'revoked-translation')).toEqual([expect.stringMatching(/after arch_invalidate_secondary_tlbs \[0x[0-9a-f]+, 0x[0-9a-f]+\) by cpu0 returned at 1000 ns; the process maps it PROT_NONE$/)]);
    drv.device.dropAll();
  });
});
