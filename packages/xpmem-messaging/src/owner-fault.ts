import { SmmuError, VM, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import { mmuIntervalReadBegin, mmuIntervalReadRetry, mmuRmapExportPage } from '@secondary-mmu/mmu-notifier';
import type { XpmemDriver } from './driver.js';
import type { XpmemPin, XpmemSegment, XpmemImporterPort } from './segment.js';
import { xpmemUnpin } from './unpin.js';

/** What the owner answers an import fault with. Kernel counterpart: XPMEM's PFN reply. */
export interface XpmemFaultReply {
  readonly pfn: number;
  /** The importer may write through it (a write fault pinned it for writing). */
  readonly writable: boolean;
}

/**
 * The owner's side of an import fault, run as the owner partition's task when the
 * request is delivered: note where invalidations stand (`v6` start mode:
 * `mmu_interval_read_begin`, which sleeps out one in progress; 2008 eras: wait for the
 * in-progress count to reach 0 and read the sequence), pin the page for the importer
 * (`pin_user_pages` under the mmap lock: it faults the page in, COW-breaks it for a
 * write), in `rfc-2008` export it to the external rmap under its page lock (and check
 * it is still mapped there: an unmap before the export called no hook), then under
 * `seg->lock` check that no invalidation overtook it — if one did, unpin and start over
 * (at most `maxFaultRetries` times, then `EAGAIN`) — and record the pin. The end-only
 * mode checks nothing (the `hpc/xpmem` fault path). `EFAULT`: the segment is gone, the
 * mm exited, the importer was cut off, nothing mapped there, or (`rfc-2008` start mode)
 * a file mapping — exports of anonymous memory only. `EPERM`: a write to a read-only mapping.
 *
 * Kernel counterpart: `hpc/xpmem`'s `xpmem_fault_handler()` → `xpmem_ensure_valid_PFN()`
 * → `xpmem_pin_page()` (`get_user_pages_remote()`: a reference where the model pins,
 * and no retry check), and the request-invalidated retry of SGI's 2008 driver.
 */
export async function xpmemOwnerFault(task: Task, driver: XpmemDriver, segment: XpmemSegment, importer: XpmemImporterPort, page: number, write: boolean): Promise<XpmemFaultReply> {
  const where = `${driver.name}: owner fault of segment ${segment.segid} at 0x${page.toString(16)} for ${importer.partition.name}`;
  const { mm } = segment;
  for (let attempt = 0; attempt < driver.options.maxFaultRetries; attempt++) {
    const att = importer.attachmentFor(segment);
    if (segment.removed || segment.released || mm.dead || att === undefined || att.cutOff) throw new SmmuError('EFAULT', `${where}: the segment is gone, the owner's mm exited, or the importer is cut off`);
    const seq = await beginRead(task, driver, segment);
    const pfn = await pinPage(task, driver, segment, importer, page, write, where);
    try {
      const reply = await recordPin(task, driver, segment, importer, page, write, pfn, seq);
      if (reply !== null) return reply;
    } finally {
      segment.inflight--;
      segment.idle.wakeUp();
    }
  }
  driver.stats.faultsAgain++;
  throw new SmmuError('EAGAIN', `${where}: invalidations overtook it ${driver.options.maxFaultRetries} times`);
}

/**
 * After the pin: export it (`rfc-2008`), then under `seg->lock` either record it — the
 * reply — or, overtaken by an invalidation, give it back (null: start over).
 */
async function recordPin(task: Task, driver: XpmemDriver, segment: XpmemSegment, importer: XpmemImporterPort, page: number, write: boolean, pfn: number, seq: number): Promise<XpmemFaultReply | null> {
  const mem = driver.machine.mem;
  const pin: XpmemPin = { page, pfn, pinned: pfn !== mem.allocator.zeroPfn, dirty: false };
    if (pin.pinned) driver.stats.pins++;
    let unmapped = false;
    if (pin.pinned && driver.machine.era === 'rfc-2008' && driver.options.recall === 'start') {
      // Exported under the page lock while still mapped: every later try_to_unmap or
      // page_mkclean of it calls the external-rmap hook; one that ran before the export
      // already took the PTE away, which is seen here.
      await mem.pageLock.lock(task, pfn);
      mmuRmapExportPage(task, driver.machine, pfn);
      unmapped = walkPageTable(segment.mm, page)?.pfn !== pfn;
      await mem.pageLock.unlock(task, pfn);
    }
    await segment.lock.lock(task);
    const stale = unmapped || overtaken(driver, segment, seq);
    const old = stale ? undefined : segment.record(importer, page, pin);
    await segment.lock.unlock(task);
    if (stale) {
      driver.stats.faultRetries++;
      await xpmemUnpin(task, driver, importer, pin);
      return null;
    }
    if (old !== undefined) await xpmemUnpin(task, driver, importer, old);
    driver.stats.faults++;
    return { pfn, writable: pin.pinned && write };
}

/** Where invalidations stand before the pin (see {@link xpmemOwnerFault}). */
function beginRead(task: Task, driver: XpmemDriver, segment: XpmemSegment): number | Promise<number> {
  if (driver.options.recall === 'end-only') return 0;
  if (segment.interval !== null) return mmuIntervalReadBegin(task, segment.interval);
  const seq = segment.idle.waitEvent(task, () => segment.active === 0 || segment.removed || segment.released);
  return seq instanceof Promise ? seq.then(() => segment.seq) : segment.seq;
}

/** Did an invalidation run since {@link beginRead} gave `seq`? Under `seg->lock`. */
function overtaken(driver: XpmemDriver, segment: XpmemSegment, seq: number): boolean {
  if (driver.options.recall === 'end-only') return false;
  if (segment.interval !== null) return mmuIntervalReadRetry(segment.interval, seq);
  return segment.seq !== seq || segment.active > 0;
}

/** `pin_user_pages` of the page under the mmap read lock, after the vma checks. */
async function pinPage(task: Task, driver: XpmemDriver, segment: XpmemSegment, importer: XpmemImporterPort, page: number, write: boolean, where: string): Promise<number> {
  const { mm } = segment;
  await mm.mmapLock.downRead(task);
  try {
    const vma = mm.vmas.lookup(page);
    if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `${where}: ${vma === undefined ? 'nothing mapped there' : 'the mapping is not readable'}`);
    if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `${where}: the mapping is not writable`);
    if (driver.machine.era === 'rfc-2008' && driver.options.recall === 'start' && vma.file !== null) throw new SmmuError('EFAULT', `${where}: rfc-2008 exports anonymous memory only (a file unmap holds i_mmap_lock, a spinlock)`);
    const [pfn] = await importer.device.getUserPages(task, mm, page, 1, { pin: true, write });
    if (pfn === undefined) throw new SmmuError('EFAULT', `${where}: pin_user_pages returned nothing`);
    segment.inflight++; // before the unlock, a preemption point: invalidations now wait for this pin
    return pfn;
  } finally {
    await mm.mmapLock.upRead(task);
  }
}
