import { describe, expect, it } from 'vitest';
import { measureRecall } from '../bench/recall-latency.js';
import { createXpmemDriver, xpmemAttach, xpmemGet, xpmemMake, XpmemImporter } from '../src/index.js';
import { anonPages, attach, code, P, rig, run, v } from './support/rig.js';

describe('the recall sleeps until every importer acknowledged', () => {
  it('serial costs a round trip per importer; multicast one round trip, whatever the count', async () => {
    const rt = 2 * 1_000; // the default latency, there and back
    for (const n of [1, 2, 4]) {
      const serial = await measureRecall('serial', n);
      const multicast = await measureRecall('multicast', n);
      expect(serial).toEqual({ recallNs: n * rt, messages: n, violations: 0 });
      expect(multicast).toEqual({ recallNs: rt, messages: n, violations: 0 });
    }
  });

  it('multicast waits for the slowest importer', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    const factory = createXpmemDriver();
    const driver = factory.driverOn(r.m);
    const seg = await xpmemMake(r.t, driver, r.t.mm!, a, P);
    const imps = [new XpmemImporter(driver, r.t.mm!), new XpmemImporter(driver, r.t.mm!)];
    for (const imp of imps) await xpmemAttach(r.t, await xpmemGet(r.t, imp, seg));
    imps[1]!.partition.delayNs = 30_000;
    await run(r, { i0: (task) => imps[0]!.read(task, a), i1: (task) => imps[1]!.read(task, a) });
    const before = driver.stats.recallNs;
    const res = await run(r, { cpu1: (task) => v(r.m.mem.munmap(task, a, P)) });
    expect(res.violations).toEqual([]);
    expect(driver.stats.recallNs - before).toBe(2_000 + 30_000);
  });

  it('one importer, several segments: each a subscription, each recalled on its own', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 4);
    const driver = createXpmemDriver().driverOn(r.m);
    const low = await xpmemMake(r.t, driver, r.t.mm!, a, 2 * P);
    const high = await xpmemMake(r.t, driver, r.t.mm!, a + 2 * P, 2 * P);
    const imp = new XpmemImporter(driver, r.t.mm!);
    for (const seg of [low, high]) await xpmemAttach(r.t, await xpmemGet(r.t, imp, seg));
    expect(imp.device.subscriptions).toEqual([low.interval, high.interval]);
    expect(await code(() => xpmemGet(r.t, imp, low))).toBe('EINVAL'); // already got
    const got: number[] = [];
    await run(r, { imp: async (task) => void got.push(await imp.read(task, a), await imp.read(task, a + 3 * P)) });
    expect(got).toEqual([100, 103]);
    const res = await run(r, { cpu1: (task) => v(r.m.mem.munmap(task, a + 2 * P, 2 * P)) });
    expect(res.violations).toEqual([]);
    expect(driver.stats.recalls).toBe(1);
    expect(imp.device.translations().map((h) => h.address)).toEqual([a]); // low's page stays
    expect(low.pins.get(imp)?.size).toBe(1);
    expect(high.pins.get(imp)).toBeUndefined();
    await v(imp.detach(r.t));
    expect(imp.device.holds()).toEqual([]);
  });

  it('an importer that stopped answering: cut off at the cut-off, the owner goes on, its accesses fail', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    const factory = createXpmemDriver({ fabric: { cutoffNs: 200_000 } });
    const imp = await attach(r, factory);
    await run(r, { imp: (task) => imp.read(task, a) });
    imp.partition.answering = false;
    const t0 = r.m.clock.now;
    const res = await run(r, { cpu1: (task) => v(r.m.mem.munmap(task, a, P)) });
    expect(res.violations).toEqual([]);
    const { stats } = factory.driverOn(r.m);
    expect(stats.cutOffs).toBe(1);
    expect(r.m.clock.now - t0).toBe(200_000);
    expect(imp.device.holds()).toEqual([]);
    await run(r, { imp2: async (task) => expect(await code(() => imp.read(task, a))).toBe('EFAULT') });
  });

  it('an import fault the owner never answers: cut off, EFAULT, nothing pinned', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    const factory = createXpmemDriver({ fabric: { cutoffNs: 100_000 } });
    const imp = await attach(r, factory);
    factory.driverOn(r.m).ownerPartition(r.t.mm!).answering = false;
    const res = await run(r, { imp: async (task) => expect(await code(() => imp.read(task, a))).toBe('EFAULT') });
    expect(res.violations).toEqual([]);
    expect(imp.attachments[0]!.cutOff).toBe(true);
    expect(imp.device.holds()).toEqual([]);
  });
});
