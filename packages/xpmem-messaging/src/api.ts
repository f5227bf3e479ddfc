import { PAGE_SIZE, SmmuError, TASK_SIZE, type Mm, type Task } from '@secondary-mmu/core-mm';
import { MmuIntervalNotifier, MmuNotifier, mmuIntervalNotifierInsert, mmuIntervalNotifierRemove, mmuNotifierRegister, mmuNotifierUnregister } from '@secondary-mmu/mmu-notifier';
import { XpmemAttachment, type XpmemAttachmentOwner } from './attachment.js';
import { xpmemDetachAttachment, xpmemRoundTrip } from './detach.js';
import type { XpmemDriver } from './driver.js';
import { xpmemClassicOps, xpmemEndOnlyOps } from './notifier-classic.js';
import { xpmemIntervalOps } from './notifier-interval.js';
import { xpmemRmapNotifier } from './rmap-hook.js';
import { XpmemSegment } from './segment.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * `xpmem_make`: export `[start, start + length)` of `mm` (page aligned, inside the user
 * address space) as a new segment, and subscribe it to `mm`'s invalidations — an
 * interval notifier over the range in `v6` start mode, a classic notifier otherwise
 * (in `rfc-2008` start mode also the driver's external-rmap notifier). `EINVAL`
 * (nothing made) for a bad range or an exited mm. Kernel counterpart: `xpmem_make()`
 * (`hpc/xpmem` kernel/xpmem_make.c) and `xpmem_mmu_notifier_init()`.
 */
export async function xpmemMake(task: Task, driver: XpmemDriver, mm: Mm, start: number, length: number): Promise<XpmemSegment> {
  const where = `${driver.name}: xpmem_make(${String(start)}, ${String(length)})`;
  if (mm.dead) throw new SmmuError('EINVAL', `${where}: mm ${mm.id} has exited`);
  if (!Number.isSafeInteger(start) || start < 0 || start % PAGE_SIZE !== 0) throw new SmmuError('EINVAL', `${where}: start is not a page-aligned user address`);
  if (!Number.isSafeInteger(length) || length <= 0 || length % PAGE_SIZE !== 0 || start + length > TASK_SIZE) throw new SmmuError('EINVAL', `${where}: length is not a positive page multiple inside the user address space`);
  const segment = new XpmemSegment(driver.machine, driver.segid(), mm, start, start + length);
  const name = `${driver.name}-seg${segment.segid}`;
  if (driver.options.recall === 'start' && driver.machine.era === 'v6') {
    const isub = new MmuIntervalNotifier(xpmemIntervalOps(driver, segment), name);
    await mmuIntervalNotifierInsert(task, isub, mm, start, length);
    segment.interval = isub;
  } else {
    const ops = driver.options.recall === 'start' ? xpmemClassicOps(driver, segment) : xpmemEndOnlyOps(driver, segment);
    const sub = new MmuNotifier(ops, name);
    await mmuNotifierRegister(task, sub, mm);
    segment.classic = sub;
    if (driver.options.recall === 'start' && driver.machine.era === 'rfc-2008') xpmemRmapNotifier(driver);
  }
  driver.ownerPartition(mm);
  driver.segments.push(segment);
  return segment;
}

/**
 * `xpmem_get`: `importer` asks the owner for access to `segment` (a control message's
 * round trip); the attachment is not mapped yet. `EINVAL` for a removed segment, one the
 * importer already got, or one overlapping a segment it got. Kernel counterpart:
 * `xpmem_get()` (an access permit, `apid`).
 */
export async function xpmemGet(task: Task, importer: XpmemAttachmentOwner, segment: XpmemSegment): Promise<XpmemAttachment> {
  const where = `${importer.driver.name}: xpmem_get(segment ${segment.segid}) by ${importer.partition.name}`;
  if (segment.removed || segment.released) throw new SmmuError('EINVAL', `${where}: the segment was removed or its mm exited`);
  if (segment.mm !== importer.mm) throw new SmmuError('EINVAL', `${where}: the importer maps mm ${importer.mm.id}, the segment is of mm ${segment.mm.id}`);
  const clash = importer.attachments.find((a) => a.segment.start < segment.end && segment.start < a.segment.end);
  if (clash !== undefined) throw new SmmuError('EINVAL', `${where}: overlaps segment ${clash.segment.segid}, which it already got`);
  const att = new XpmemAttachment(importer.driver.machine, importer, segment);
  await xpmemRoundTrip(task, att);
  importer.attachments.push(att);
  return att;
}

/**
 * `xpmem_attach`: map the attachment at the owner's addresses; the importer's device
 * now answers for the segment's notifier (one more subscription). Faults come on first
 * access. `EINVAL` if already attached or the segment is gone. Kernel counterpart:
 * `xpmem_attach()` (an attachment vma whose faults go to `xpmem_fault_handler()`).
 */
export async function xpmemAttach(task: Task, att: XpmemAttachment): Promise<void> {
  const where = `${att.importer.driver.name}: xpmem_attach(segment ${att.segment.segid}) by ${att.importer.partition.name}`;
  if (att.attached || att.segment.removed || att.segment.released) throw new SmmuError('EINVAL', `${where}: already attached, or the segment is gone`);
  await xpmemRoundTrip(task, att);
  att.attached = true;
  att.segment.importers.add(att.importer);
  att.importer.device.addSubscription(att.segment.notifier!);
}

/** `xpmem_detach` of `att` (see {@link xpmemDetachAttachment}). Kernel counterpart: `xpmem_detach()`. */
export function xpmemDetach(task: Task, att: XpmemAttachment): Promise<void> {
  return xpmemDetachAttachment(task, att);
}

/**
 * `xpmem_remove`: detach every importer of `segment`, then unsubscribe it (`v6`:
 * `mmu_interval_notifier_remove`; 2008 eras: unregister unless `release` already ran).
 * A second call does nothing. Kernel counterpart: `xpmem_remove()` (`xpmem_remove_seg`).
 */
export async function xpmemRemove(task: Task, driver: XpmemDriver, segment: XpmemSegment): Promise<void> {
  if (segment.removed) return;
  segment.removed = true;
  segment.idle.wakeUp();
  for (const importer of [...segment.importers]) await importer.detachSegment(task, segment);
  if (segment.interval !== null) await mmuIntervalNotifierRemove(task, segment.interval);
  else if (segment.classic !== null && !(segment.released && driver.machine.era !== 'v6')) await mmuNotifierUnregister(task, segment.classic, segment.mm);
  driver.segments.splice(driver.segments.indexOf(segment), 1);
}

/** A segment's range for messages. Kernel counterpart: none. */
export function describeSegment(segment: XpmemSegment): string {
  return `segment ${segment.segid} [${hex(segment.start)}, ${hex(segment.end)}) of mm ${segment.mm.id}`;
}
