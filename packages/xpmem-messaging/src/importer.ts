import { andThen, PAGE_SIZE, SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { xpmemRemove } from './api.js';
import type { XpmemAttachment, XpmemAttachmentOwner } from './attachment.js';
import { xpmemDetachAttachment } from './detach.js';
import type { XpmemDriver } from './driver.js';
import type { XpmemPartition } from './fabric/partition.js';
import { xpmemImportFault } from './import-fault.js';
import type { XpmemSegment } from './segment.js';

/** Access attempts after which an importer access gives up with EAGAIN (its translation kept being recalled). Kernel counterpart: none (the model's livelock guard). */
export const XPMEM_MAX_ACCESS_ATTEMPTS = 64;

/**
 * An importer: a partition that attached segments of an owner's address space and
 * reaches their pages through its `DeviceMmu` (driver class `holds-references`: the
 * owner pins every page it hands out). An access through a translation it has goes
 * straight to memory; a miss is an import fault — a request to the owner over the
 * fabric ({@link xpmemImportFault}). The owner's recalls reach it as messages its
 * partition handles ({@link XpmemImporter.handleRecall}). Importer addresses are the
 * owner's (each segment attached at its own addresses). One importer may attach
 * several segments, each a subscription its device answers for.
 *
 * It is what the testkit drives (structurally its `DriverInstance`): `mm` is the
 * owner's, `read`/`write` are the importer's accesses, `detach` detaches every
 * segment and removes those made for it by the factory's `attach`.
 *
 * Kernel counterpart: a remote process's XPMEM attachments (`xpmem_attach()` mappings
 * and their `xpmem_fault_handler()`), on another partition.
 */
export class XpmemImporter implements XpmemAttachmentOwner {
  readonly device: DeviceMmu;
  readonly partition: XpmemPartition;
  readonly attachments: XpmemAttachment[] = [];
  /** Segments the factory's `attach` made for this importer: removed by {@link XpmemImporter.detach}. */
  readonly madeFor: XpmemSegment[] = [];
  /** Closed by {@link XpmemImporter.detach}. */
  detached = false;

  constructor(
    readonly driver: XpmemDriver,
    /** The owner's mm whose segments it maps. */
    readonly mm: Mm,
  ) {
    this.partition = driver.importerPartition();
    this.device = new DeviceMmu(driver.machine, { name: driver.name, driverClass: 'holds-references' });
  }

  /** Its attachment of `segment`, if any. */
  attachmentFor(segment: XpmemSegment): XpmemAttachment | undefined {
    return this.attachments.find((a) => a.segment === segment);
  }

  /** An importer load of the word at `address`. EFAULT outside its attached segments or once cut off. */
  read(task: Task, address: number): Promise<number> {
    return this.access(task, address, false, (h) => this.device.read(task, h));
  }

  /** An importer store of `value` at `address`. EFAULT as for `read`, EPERM for a read-only mapping. */
  write(task: Task, address: number, value: number): Promise<void> {
    return this.access(task, address, true, (h) => this.device.write(task, h, value));
  }

  /** Import `pages` pages from `start` read-only without accessing them. Kernel counterpart: none (touching an attachment). */
  async prefetch(task: Task, start: number, pages: number): Promise<void> {
    const first = start - (start % PAGE_SIZE);
    for (let i = 0; i < pages; i++) {
      const page = first + i * PAGE_SIZE;
      if (this.device.lookup(this.mm, page) === undefined) await xpmemImportFault(task, this.attached(page), page, false);
    }
  }

  /**
   * The importer's half of a recall, run as its partition's task when the message is
   * delivered: under `att->lock`, count the recall and drop every translation of
   * `[start, end)` of `segment`; answer with the pages written through them (the owner
   * dirties them as it unpins). Kernel counterpart: `xpmem_clear_PTEs_range()` on the
   * importing side (`zap_page_range` of the attachment's vma, a TLB flush), then the
   * acknowledgement.
   */
  handleRecall(task: Task, segment: XpmemSegment, start: number, end: number): number[] | Promise<number[]> {
    const att = this.attachmentFor(segment);
    if (att === undefined) return [];
    return andThen(att.lock.lock(task), () => {
      att.recallSeq++;
      const written: number[] = [];
      for (const h of this.device.translations(segment.mm)) {
        if (!segment.holds(h.address) || h.address >= end || h.address + PAGE_SIZE <= start) continue;
        if (h.dirty) written.push(h.address);
        this.device.drop(h);
      }
      return andThen(att.lock.unlock(task), () => written);
    });
  }

  /** `xpmem_detach` of its attachment of `segment`, if any (what `xpmemRemove` calls for each importer). Kernel counterpart: `xpmem_detach()`. */
  async detachSegment(task: Task, segment: XpmemSegment): Promise<void> {
    const att = this.attachmentFor(segment);
    if (att !== undefined) await xpmemDetachAttachment(task, att);
  }

  /** Detach every segment, then remove those made for it. A second call does nothing. Kernel counterpart: the remote process's `xpmem_detach()`s and its close. */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    for (const att of this.attachments.slice()) await xpmemDetachAttachment(task, att);
    for (const segment of this.madeFor) await xpmemRemove(task, this.driver, segment);
  }

  /** The attached attachment holding `page`: EFAULT when none, or when it was cut off. */
  attached(page: number): XpmemAttachment {
    const att = this.attachments.find((a) => a.attached && a.segment.holds(page));
    const where = `${this.device.name} (${this.partition.name}): access at 0x${page.toString(16)}`;
    if (this.detached || att === undefined) throw new SmmuError('EFAULT', `${where}: no attached segment holds it`);
    if (att.cutOff) throw new SmmuError('EFAULT', `${where}: the owner cut this importer off (no answer by the fabric's cut-off)`);
    return att;
  }

  private async access<T>(task: Task, address: number, write: boolean, op: (h: DeviceTranslation) => T | Promise<T>): Promise<T> {
    if (!Number.isSafeInteger(address) || address < 0) throw new SmmuError('EINVAL', `${this.device.name}: ${String(address)} is not an address`);
    const page = address - (address % PAGE_SIZE);
    for (let i = 0; i < XPMEM_MAX_ACCESS_ATTEMPTS; i++) {
      const att = this.attached(page);
      const h = this.device.lookup(this.mm, page);
      if (h === undefined || (write && !h.writable)) {
        await xpmemImportFault(task, att, page, write);
        continue;
      }
      try {
        return await op(h);
      } catch (error) {
        if (h.live && (!write || h.writable)) throw error; // recalled while the access waited: fault again
      }
    }
    throw new SmmuError('EAGAIN', `${this.device.name}: access at 0x${address.toString(16)} kept losing its translation`);
  }
}
