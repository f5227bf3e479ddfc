import { SpinLock, type Machine, type Mm } from '@secondary-mmu/core-mm';
import type { XpmemDriver } from './driver.js';
import type { XpmemImporterPort, XpmemSegment } from './segment.js';

/**
 * What the importer's own paths (fault, get, attach, detach) need of it beyond the
 * owner's view: its driver, the owner's mm it maps, and its attachments
 * (`XpmemImporter` is one). Kernel counterpart: none as a type — the importing process's
 * XPMEM thread group (`struct xpmem_thread_group`).
 */
export interface XpmemAttachmentOwner extends XpmemImporterPort {
  readonly driver: XpmemDriver;
  readonly mm: Mm;
  readonly attachments: XpmemAttachment[];
}

/**
 * One importer's use of one segment: got (`xpmem_get`), then attached
 * (`xpmem_attach`), at the owner's addresses. `recallSeq` counts the recalls delivered
 * to it, under `att->lock`: an import fault whose answer arrives after a recall it did
 * not see starts over. Cut off once the owner heard nothing by the fabric's cut-off:
 * its accesses then fail with `EFAULT`.
 *
 * Kernel counterpart: `struct xpmem_access_permit` plus `struct xpmem_attachment`
 * (`hpc/xpmem` kernel/xpmem_private.h), `att->mutex` made a spinlock.
 */
export class XpmemAttachment {
  /** `att->lock`: orders the importer's installs against recalls. */
  readonly lock: SpinLock;
  /** Recalls delivered to this attachment. */
  recallSeq = 0;
  /** `xpmem_attach` ran (and no `xpmem_detach` since). */
  attached = false;
  /** The owner cut it off: accesses fail with EFAULT. */
  cutOff = false;

  constructor(
    machine: Machine,
    readonly importer: XpmemAttachmentOwner,
    readonly segment: XpmemSegment,
  ) {
    this.lock = new SpinLock(machine, 'xpmem att->lock');
  }
}
