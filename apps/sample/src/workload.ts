import { fork, MREMAP, movePages, outOfMemory, PAGE_SIZE, PROT, shrinkPage, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import { devicesOf, type DeviceUser } from './devices.js';
import type { Host } from './host.js';
import type { Journal } from './journal.js';
import { MS, type Step } from './timeline.js';

const RW = PROT.read | PROT.write;
/** Reclaim passes over the device-hot pages, the devices using them between passes. */
export const RECLAIM_PASSES = 4;

/**
 * The workload, the same for all three devices (the importer's writes only with `xpmemWrites`) and all at once on the one host
 * process, one phase per millisecond of virtual time: faults, writes, mprotect, fork
 * (with the parent's COW break and the child's exit), mremap, writeback of a shared file
 * page, memory pressure (reclaim passes writing anonymous pages to swap), migration
 * (`move_pages`), munmap and an OOM kill. Kernel counterpart: none.
 */
export function workload(host: Host, journal: Journal, options: { readonly xpmemWrites: boolean }): Step[] {
  const { machine: m, pages } = host;
  const mem = m.mem;
  const devices = devicesOf(host);
  const own: Record<string, number> = { 'kvm-spte': pages.kvmHot, gru: pages.gruHot, xpmem: pages.xpmemPage };
  const steps: Step[] = [];
  const phase = (name: string, at: number): void => {
    steps.push({ at, actor: 'conductor', run: () => void journal.phases.push({ name, from: m.clock.now }) });
  };
  const read = (d: DeviceUser, at: number, address: () => number): void => {
    steps.push({ at, actor: d.actor, run: async (t: Task) => journal.reads.push(`${d.driver}@${address().toString(16)}: ${await d.read(t, address())}`) });
  };
  const each = (at: number, address: (d: DeviceUser) => number): void => {
    for (const d of devices) read(d, at, () => address(d));
  };

  phase('faults', 1 * MS);
  each(1 * MS, (d) => own[d.driver]!);
  each(1.1 * MS, () => pages.shared);

  phase('writes', 2 * MS);
  // By default the importer only reads: a page it wrote is unpinned dirty, taking the page lock inside the recall (see the README).
  const writers = devices.filter((x) => options.xpmemWrites || x.driver !== 'xpmem');
  for (const d of writers) steps.push({ at: 2 * MS, actor: d.actor, run: (t: Task) => d.write(t, own[d.driver]!, 200) });
  steps.push({ at: 2.1 * MS, actor: 'cpu0', run: (t: Task) => mem.write(t, pages.shared, 201) });

  phase('mprotect', 3 * MS);
  steps.push({ at: 3 * MS, actor: 'cpu0', run: (t: Task) => mem.mprotect(t, pages.shared, PAGE_SIZE, PROT.read) });
  each(3.2 * MS, () => pages.shared);
  steps.push({ at: 3.4 * MS, actor: 'cpu0', run: (t: Task) => mem.mprotect(t, pages.shared, PAGE_SIZE, RW) });
  each(3.6 * MS, () => pages.shared);

  phase('fork', 4 * MS);
  steps.push({
    at: 4 * MS,
    actor: 'cpu0',
    run: async (t: Task) => {
      const child = await fork(mem, t, 'child');
      await mem.write(t, pages.shared, 202); // the parent's COW break
      child.spawn('child', (c) => mem.exit(c));
    },
  });
  each(4.5 * MS, () => pages.moved);

  phase('mremap', 5 * MS);
  // Moved to a fixed address well below the host's mappings: growing in place would not move it.
  const target = pages.file - 16 * PAGE_SIZE;
  steps.push({ at: 5 * MS, actor: 'cpu0', run: async (t: Task) => void (journal.movedTo = await mem.mremap(t, pages.moved, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP.maymove | MREMAP.fixed, target)) });
  each(5.5 * MS, () => journal.movedTo!);

  phase('writeback', 6 * MS);
  for (const d of writers) steps.push({ at: 6 * MS, actor: d.actor, run: (t: Task) => d.write(t, pages.file, 300) });
  steps.push({ at: 6.2 * MS, actor: 'cpu0', run: (t: Task) => mem.fsync(t, host.inode) });

  phase('reclaim', 7 * MS);
  const hot = { 'kvm-spte': pages.kvmHot, gru: pages.gruHot } as const;
  for (let pass = 0; pass < RECLAIM_PASSES; pass++) {
    const at = 7 * MS + pass * 0.2 * MS;
    for (const d of devices.filter((x) => x.driver in hot)) read(d, at, () => own[d.driver]!);
    steps.push({
      at: at + 0.1 * MS,
      actor: 'kswapd',
      run: async (t: Task) => {
        for (const [driver, address] of Object.entries(hot)) {
          const pte = walkPageTable(host.setup.mm!, address);
          const verdicts = (journal.reclaim[driver] ??= []);
          if (pte === null || verdicts.includes('freed')) continue; // swapped out already
          verdicts.push(await shrinkPage(mem, t, pte.pfn, { writePage: true }));
        }
      },
    });
  }

  phase('migration', 8 * MS);
  each(8 * MS, (d) => own[d.driver]!);
  steps.push({
    at: 8.2 * MS,
    actor: 'migrate',
    run: async (t: Task) => {
      const order = devices.map((d) => own[d.driver]!);
      const holdsBefore = order.map((address) => holdsOn(devices, walkPageTable(host.setup.mm!, address)!.pfn));
      const results = await movePages(mem, t, host.setup.mm!, order);
      devices.forEach((d, i) => journal.migration.push({ page: `${d.driver}'s page`, holds: holdsBefore[i]!, result: results[i]! }));
    },
  });

  phase('munmap', 9 * MS);
  steps.push({ at: 9 * MS, actor: 'cpu0', run: (t: Task) => mem.munmap(t, journal.movedTo!, 2 * PAGE_SIZE) });

  phase('oom-kill', 10 * MS);
  steps.push({
    at: 10 * MS,
    actor: 'oom',
    run: async (t: Task) => {
      const r = await outOfMemory(mem, t);
      journal.oom = { victim: r.victim?.name ?? null, reapAttempts: r.reapAttempts, skipped: r.skipped };
    },
  });
  return steps;
}

/** The references and pins each device holds on `pfn`. */
function holdsOn(devices: readonly DeviceUser[], pfn: number): Record<string, { refs: number; pins: number }> {
  const out: Record<string, { refs: number; pins: number }> = {};
  for (const d of devices) {
    const held = d.device.holds().filter((h) => h.pfn === pfn);
    out[d.driver] = { refs: held.filter((h) => !h.pin).length, pins: held.filter((h) => h.pin).length };
  }
  return out;
}
