/**
 * One invalidation's virtual-time cost with `importers` importers of one page, recalled
 * in `order`: the owner's munmap of the page while every importer maps it. Used by the
 * latency table (bench/latency-table.ts) and its test.
 */
import { Machine, MAP, PROT } from '@secondary-mmu/core-mm';
import { createXpmemDriver, xpmemAttach, xpmemGet, xpmemMake, XpmemImporter, type XpmemFabricOptions, type XpmemRecallOrder } from '../src/index.js';

export interface RecallCost {
  /** Virtual ns the munmap's recall slept (`stats.recallNs`). */
  readonly recallNs: number;
  /** Recall messages sent. */
  readonly messages: number;
  /** Violations of the whole run (none expected). */
  readonly violations: number;
}

export async function measureRecall(order: XpmemRecallOrder, importers: number, fabric: XpmemFabricOptions = {}, seed = 1): Promise<RecallCost> {
  const m = new Machine({ era: 'v6', seed, memory: { frames: 64 } });
  const app = m.mem.createProcess('app');
  const t = app.task('setup');
  const a = await m.mem.mmap(t, { length: 4096, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
  await m.mem.write(t, a, 7);
  const factory = createXpmemDriver({ order, fabric });
  const driver = factory.driverOn(m);
  const segment = await xpmemMake(t, driver, t.mm!, a, 4096);
  const imps: XpmemImporter[] = [];
  for (let i = 0; i < importers; i++) {
    const imp = new XpmemImporter(driver, t.mm!);
    await xpmemAttach(t, await xpmemGet(t, imp, segment));
    imps.push(imp);
  }
  imps.forEach((imp, i) => m.sched.spawn(`importer${i}`, async (task) => void (await imp.read(task, a))));
  const first = await m.sched.run();
  app.spawn('munmap', (task) => m.mem.munmap(task, a, 4096));
  const second = await m.sched.run();
  return { recallNs: driver.stats.recallNs, messages: driver.stats.recallMessages, violations: first.violations.length + second.violations.length };
}
