import { ERAS, MAP, PROT, shrinkPage, TASK_SIZE, walkPageTable, type Machine } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { coherenceOracle, mmuIntervalNotifierRemove, mmuNotifierClearYoung, mmuNotifierTestYoung, mmuNotifierUnregister } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { HoldsRefDriver, IntervalDriver, NoRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, kinds, messages } from './support/oracle-helpers.js';

describe('aging: clear_flush_young from reclaim', () => {
  for (const era of ERAS) {
    /** A file page only the device touched, scanned once by reclaim. */
    async function scan(bug: 'none' | 'young-never'): Promise<{ m: Machine; verdict: string }> {
      const { m, t } = setup(era);
      const drv = new NoRefDriver(m, t.mm!, bug, 'kvm');
      await register(t, drv);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await drv.read(t, a)).toBe(0);
      return { m, verdict: await v(shrinkPage(m.mem, m.task('kswapd'), file.pageCache.get(0)!)) };
    }

    it(`${era}: fires when the driver answers not young although its device accessed the page since the last clear`, async () => {
      const { m, verdict } = await scan('young-never');
      expect(verdict).toBe('freed'); // the harm: a page the device uses was evicted
      expect(kinds(m)).toEqual(['aging']);
      expect(messages(m, 'aging')[0]).toMatch(/^kvm: clear_flush_young\(0x[0-9a-f]+-0x[0-9a-f]+\) on mm \d+ answered not young, but its device accessed 0x[0-9a-f]+ \(pfn \d+, by kvm\) since the last clear$/);
    });

    it(`${era}: stays quiet for the correct driver`, async () => {
      const { m, verdict } = await scan('none');
      expect(verdict).toBe('activate');
      expect(kinds(m)).toEqual([]);
    });
  }

  it('v6: a driver that answers not young for a page its device did not touch since the last scan is right', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'young-never', 'kvm');
    await register(t, drv);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    expect(await drv.read(t, a)).toBe(0);
    const pfn = file.pageCache.get(0)!;
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + P)); // not young: wrong
    expect(await v(shrinkPage(m.mem, m.task('kswapd'), pfn))).toBe('freed'); // not young: right, nothing touched it since
    expect(kinds(m)).toEqual(['aging']);
  });
});

describe('aging: accesses through a dropped translation', () => {
  for (const era of ERAS) {
    it(`${era}: no longer count — after COW the address names another page, and not young is right`, async () => {
      const { m, t } = setup(era);
      const drv = new NoRefDriver(m, t.mm!, 'none', 'kvm');
      await register(t, drv);
      const a = await anonPages(m, t);
      expect(await drv.read(t, a)).toBe(100);
      await v(m.mem.fork(t, 'child'));
      await v(m.mem.write(t, a, 200)); // COW: the driver drops its translation of the old page
      expect(drv.device.translations()).toEqual([]);
      const verdicts = [];
      for (let i = 0; i < 2; i++) verdicts.push(await v(shrinkPage(m.mem, m.task('kswapd'), walkPageTable(t.mm!, a)!.pfn)));
      expect(verdicts).toContain('activate'); // the CPU's young bit, first
      expect(kinds(m)).toEqual([]);
    });
  }
});

describe('aging: clear_young and test_young (v6)', () => {
  async function page(bug: 'none' | 'young-never' | 'test-young-always') {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, bug, 'kvm');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    return { m, t, drv, a, mm: t.mm! };
  }

  it('stays quiet for the correct driver: young after an access, not young after a clear', async () => {
    const { m, t, drv, a, mm } = await page('none');
    await drv.read(t, a);
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(true);
    expect(await v(mmuNotifierClearYoung(t, mm, a, a + P))).toBe(true);
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(false);
    await drv.read(t, a);
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(true);
    expect(await v(mmuNotifierClearYoung(t, mm, 0, TASK_SIZE))).toBe(true);
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(false);
    expect(kinds(m)).toEqual([]);
  });

  it('fires for test_young answering young after a clear without an access since (a page cleared by a wide clear too)', async () => {
    const { m, t, drv, a, mm } = await page('test-young-always');
    await drv.read(t, a);
    expect(await v(mmuNotifierTestYoung(t, mm, a + P))).toBe(true); // never cleared: no rule yet
    await v(mmuNotifierClearYoung(t, mm, a, a + P));
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(true);
    expect(kinds(m)).toEqual(['aging']);
    expect(messages(m, 'aging')[0]).toMatch(/^kvm: test_young\(0x[0-9a-f]+ \(mm \d+, pfn \d+\)\) answered young, but no device of it accessed the page since the last clear$/);
    await v(mmuNotifierClearYoung(t, mm, 0, TASK_SIZE));
    expect(await v(mmuNotifierTestYoung(t, mm, a + P))).toBe(true);
    expect(kinds(m)).toEqual(['aging', 'aging']);
  });

  it('fires for clear_young and test_young answering not young after an access', async () => {
    const { m, t, drv, a, mm } = await page('young-never');
    await drv.read(t, a);
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(false);
    expect(await v(mmuNotifierClearYoung(t, mm, a, a + 2 * P))).toBe(false);
    expect(kinds(m)).toEqual(['aging', 'aging']);
    expect(messages(m, 'aging')[0]).toContain('test_young');
    expect(messages(m, 'aging')[1]).toContain('clear_young');
    expect(await v(mmuNotifierTestYoung(t, mm, a))).toBe(false); // cleared since: right
    expect(kinds(m)).toEqual(['aging', 'aging']);
  });
});

describe('aging: state goes with the address space', () => {
  it('keeps nothing for a subscription its mm released at exit (classic and interval)', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'none', 'kvm');
    await register(t, drv);
    const mirror = new IntervalDriver(m, t.mm!);
    await mirror.insert(t);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    await mirror.read(t, a + P);
    await v(mmuNotifierClearYoung(t, t.mm!, a, a + 2 * P));
    const aging = (coherenceOracle(m) as unknown as { core: { aging: { bySub: Map<unknown, unknown> } } }).core.aging;
    expect([...aging.bySub.keys()]).toEqual(expect.arrayContaining([drv.sub, mirror.sub]));
    await v(m.mem.exit(t));
    expect(kinds(m)).toEqual([]);
    expect(aging.bySub.size).toBe(0);
  });
});

describe('leaks', () => {
  for (const era of ERAS) {
    it(`${era}: fires for translations still held when release returns at exit`, async () => {
      const { m, t } = setup(era);
      const drv = new NoRefDriver(m, t.mm!, 'keeps-at-release');
      await register(t, drv);
      const a = await anonPages(m, t, 2);
      await drv.read(t, a);
      await drv.read(t, a + P);
      await v(m.mem.exit(t));
      expect(kinds(m).filter((k) => k === 'leak')).toEqual(['leak']);
      const leak = m.report.violations.find((x) => x.kind === 'leak')!;
      expect(leak.message).toMatch(/^noref: still holds 2 translation\(s\) of mm \d+ after noref's release returned$/);
      expect(leak.details).toHaveLength(2);
    });

    it(`${era}: stays quiet for the correct driver at exit and at unregister`, async () => {
      const { m, t } = setup(era);
      const drv = new NoRefDriver(m, t.mm!);
      await register(t, drv);
      const other = new HoldsRefDriver(m, t.mm!, 'none', true);
      await register(t, other);
      const a = await anonPages(m, t, 2);
      await drv.read(t, a);
      await other.write(t, a + P, 1);
      await v(mmuNotifierUnregister(t, other.sub, t.mm!));
      await v(m.mem.exit(t));
      expect(kinds(m)).toEqual([]);
    });
  }

  it('fires once for pins still held after unregister returns (release, then the unregistered step)', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'keeps-references', true, 'xpmem');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.write(t, a, 1);
    await drv.write(t, a + P, 2);
    await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
    expect(kinds(m)).toEqual(['leak']);
    expect(messages(m, 'leak')[0]).toMatch(/^xpmem: still holds 2 pin\(s\) of mm \d+ after xpmem's release returned$/);
    for (const hold of drv.device.holds()) await v(drv.device.unpinUserPage(t, hold.pfn));
  });

  it('fires at unregister for a driver without release that kept translations and references', async () => {
    const { m, t } = setup('rfc-2008');
    const drv = new HoldsRefDriver(m, t.mm!, 'none', false, 'kvm08');
    delete drv.sub.ops.release;
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
    expect(kinds(m)).toEqual(['leak']);
    expect(messages(m, 'leak')[0]).toMatch(/^kvm08: still holds 1 translation\(s\), 1 page reference\(s\) of mm \d+ after kvm08's unregister returned$/);
  });

  it('v6: fires when an interval notifier is removed while its device still holds translations; quiet once they are gone', async () => {
    const { m, t } = setup('v6');
    const drv = new IntervalDriver(m, t.mm!);
    await drv.insert(t);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    await v(mmuIntervalNotifierRemove(t, drv.sub));
    expect(kinds(m)).toEqual(['leak']);
    expect(messages(m, 'leak')[0]).toContain("after dmirror's unregister returned");
    const ok = new IntervalDriver(m, t.mm!, 'none', 'dmirror2');
    await ok.insert(t);
    await ok.read(t, a + P);
    ok.device.dropAll();
    await v(mmuIntervalNotifierRemove(t, ok.sub));
    expect(kinds(m)).toEqual(['leak']);
  });
});
