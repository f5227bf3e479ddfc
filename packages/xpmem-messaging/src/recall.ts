import { type Task } from '@secondary-mmu/core-mm';
import type { XpmemDriver } from './driver.js';
import type { XpmemExchange } from './fabric/exchange.js';
import type { XpmemSegment, XpmemImporterPort } from './segment.js';
import { xpmemReleasePins } from './unpin.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Recall `[start, end)` of `segment` from `importers` (from the callback `via`, which
 * names the call site in a might-sleep report) and **sleep** until every one has
 * acknowledged: a recall message to each — one after another (`order: 'serial'`) or
 * all at once, waiting for the slowest (`'multicast'`) — whose handler, on the
 * importer, drops its translations of the range and answers with the pages it wrote.
 * An importer that does not answer by the fabric's cut-off is cut off (its
 * translations of the segment revoked at once, its accesses failing from then on).
 * Then the owner unpins what it held for them in the range (dirty where written). The
 * virtual time it slept is the invalidation's cost (`stats.recallNs`).
 *
 * Kernel counterpart: `xpmem_invalidate_PTEs_range()` → `xpmem_clear_PTEs_range()` for each
 * attachment, across partitions a recall message per remote partition and a wait for
 * the acknowledgements (SGI's 2008 driver); the unpin is `xpmem_unpin_pages()`.
 */
export async function xpmemRecall(task: Task, driver: XpmemDriver, segment: XpmemSegment, start: number, end: number, importers: readonly XpmemImporterPort[], via = 'invalidate'): Promise<void> {
  if (importers.length === 0) return;
  const t0 = driver.machine.clock.now;
  const owner = driver.ownerPartition(segment.mm);
  const what = `recall segment ${segment.segid} [${hex(start)}, ${hex(end)})`;
  const site = `${via} -> xpmem_invalidate_range: ${what}`;
  const send = (importer: XpmemImporterPort): XpmemExchange<number[]> => {
    driver.stats.recallMessages++;
    return driver.fabric.send(owner, importer.partition, what, (t) => importer.handleRecall(t, segment, start, end));
  };
  const sent: [XpmemImporterPort, XpmemExchange<number[]>][] = [];
  if (driver.options.order === 'serial') {
    for (const importer of importers) {
      const x = send(importer);
      sent.push([importer, x]);
      await driver.fabric.wait(task, [x], site);
    }
  } else {
    for (const importer of importers) sent.push([importer, send(importer)]);
    await driver.fabric.wait(
      task,
      sent.map(([, x]) => x),
      site,
    );
  }
  for (const [importer, x] of sent) {
    if (x.answer?.ok === true) {
      await xpmemReleasePins(task, driver, segment, importer, start, end, x.answer.value);
    } else await xpmemCutOff(task, driver, segment, importer);
  }
  const cost = driver.machine.clock.now - t0;
  driver.stats.recalls++;
  driver.stats.recallNs += cost;
  driver.stats.maxRecallNs = Math.max(driver.stats.maxRecallNs, cost);
}

/**
 * Cut `importer` off `segment`: it did not answer by the fabric's cut-off. Its
 * translations of the segment are revoked at once (the memory firewall stops the
 * remote partition, nothing to wait for), its attachment is marked cut off — every
 * later access fails with `EFAULT` — and the owner unpins everything it held for it
 * (as written, when the importer could have written: the owner cannot know). Kernel
 * counterpart: XPC deactivating a partition that stopped its heartbeat, and XPMEM
 * tearing down that partition's attachments.
 */
export async function xpmemCutOff(task: Task, driver: XpmemDriver, segment: XpmemSegment, importer: XpmemImporterPort): Promise<void> {
  const att = importer.attachmentFor(segment);
  if (att !== undefined && !att.cutOff) {
    att.cutOff = true;
    driver.stats.cutOffs++;
  }
  const written = importer.device
    .translations(segment.mm)
    .filter((h) => segment.holds(h.address) && h.dirty)
    .map((h) => h.address);
  importer.device.dropRange(segment.mm, segment.start, segment.end);
  await xpmemReleasePins(task, driver, segment, importer, segment.start, segment.end, written);
}

/**
 * Sleep until no owner fault handler of `segment` holds a pin it has not yet recorded
 * or given back (each sees the invalidation that called this, and unpins). Kernel
 * counterpart: none as a call — in the kernel such a handler holds an `mm_users`
 * reference, which keeps `exit_mmap` from starting, and an invalidation's pages stay
 * pinned by it only until it notices the retry.
 */
export function xpmemSettle(task: Task, segment: XpmemSegment): void | Promise<void> {
  if (segment.inflight === 0) return; // nothing to wait for: no sleep, so none in a context that forbids it
  return segment.idle.waitEvent(task, () => segment.inflight === 0, 'xpmem: wait for pins in flight');
}

/**
 * An invalidation's whole recall: {@link xpmemSettle}, {@link xpmemRecall}, and
 * {@link xpmemSettle} again — a detach or another recall may have taken pins off the
 * table that it is still giving back, and none may outlive the invalidation. Kernel
 * counterpart: `xpmem_invalidate_PTEs_range()` as a whole.
 */
export async function xpmemRecallSettled(task: Task, driver: XpmemDriver, segment: XpmemSegment, start: number, end: number, importers: readonly XpmemImporterPort[], via: string): Promise<void> {
  await xpmemSettle(task, segment);
  await xpmemRecall(task, driver, segment, start, end, importers, via);
  await xpmemSettle(task, segment);
}
