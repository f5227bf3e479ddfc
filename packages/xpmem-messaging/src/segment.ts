import { PAGE_SIZE, SpinLock, WaitQueue, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, MmuIntervalNotifier, MmuNotifier } from '@secondary-mmu/mmu-notifier';
import type { XpmemPartition } from './fabric/partition.js';

/**
 * What the owner's side sees of an importer (`XpmemImporter` is one): its device (whose
 * pins the owner takes and gives back), its partition (where recalls go), the state of
 * its attachment of a segment, its half of a recall, and its detach. Kernel counterpart:
 * none as a type — the remote partition an XPMEM owner knows by its attachments.
 */
export interface XpmemImporterPort {
  readonly device: DeviceMmu;
  readonly partition: XpmemPartition;
  /** Its attachment of `segment`: attached, and cut off by the owner. */
  attachmentFor(segment: XpmemSegment): { attached: boolean; cutOff: boolean } | undefined;
  /** Drop its translations of `[start, end)` of `segment`; the pages it wrote. */
  handleRecall(task: Task, segment: XpmemSegment, start: number, end: number): number[] | Promise<number[]>;
  /** `xpmem_detach` of its attachment of `segment`. */
  detachSegment(task: Task, segment: XpmemSegment): Promise<void>;
}

/**
 * A page the owner handed an importer: its frame, whether it is pinned (the zero page
 * is handed out read-only without a pin, as `pin_user_pages` gives it), and whether
 * the importer reported writing to it. Kernel counterpart: one PFN of XPMEM's
 * per-attachment PFN table (`xpmem_thread_group->...` `xpmem_pfn` entries).
 */
export interface XpmemPin {
  /** The owner's page-aligned virtual address. */
  readonly page: number;
  readonly pfn: number;
  readonly pinned: boolean;
  dirty: boolean;
}

/**
 * An exported range of an owner's address space (`xpmem_make`): the owner's table of
 * the pages it pinned for each importer, under `seg->lock` (a spinlock: the 2008 eras'
 * atomic callbacks take it too), the importers attached, and the notifier that
 * recalls them. In the 2008 eras a sequence count and an in-progress count, KVM-style,
 * let the owner's fault handler tell that an invalidation overtook it (`v6` uses the
 * interval notifier's sequence instead).
 *
 * Kernel counterpart: `struct xpmem_segment` (`hpc/xpmem` kernel/xpmem_private.h) with
 * the PFN bookkeeping of its attachments.
 */
export class XpmemSegment {
  /** `seg->lock`: the pin table, the sequence and the in-progress count. */
  readonly lock: SpinLock;
  /** Importer → page → the pin the owner holds for it. */
  readonly pins = new Map<XpmemImporterPort, Map<number, XpmemPin>>();
  /** The importers attached to it. */
  readonly importers = new Set<XpmemImporterPort>();
  /** `v6` start mode: the segment's interval notifier over its range. */
  interval: MmuIntervalNotifier | null = null;
  /** The 2008 eras and the end-only mode: the segment's classic notifier on the mm. */
  classic: MmuNotifier | null = null;
  /** `xpmem_remove` ran: no new attachment or fault. */
  removed = false;
  /** The owner's mm is going away (`release`): no new fault. */
  released = false;
  /** 2008 eras: bumped by every invalidation (the fault handler's retry check). */
  seq = 0;
  /** 2008 eras: range invalidations between their start and their end. */
  active = 0;
  /**
   * Owner fault handlers holding a pin they have not yet recorded or given back: a
   * blockable invalidation waits for them (they see it and unpin), a non-blockable one
   * refuses. What the kernel gets from the GUP caller's `mm_users` reference, which the
   * model does not count.
   */
  inflight = 0;
  /** The fault handler waits here for `active` to reach 0; invalidations wait here for `inflight` to. */
  readonly idle: WaitQueue;

  constructor(
    machine: Machine,
    readonly segid: number,
    readonly mm: Mm,
    readonly start: number,
    readonly end: number,
  ) {
    this.lock = new SpinLock(machine, 'xpmem seg->lock');
    this.idle = new WaitQueue(machine, `xpmem segment ${segid} idle`);
  }

  /** The subscription its importers' devices answer for. */
  get notifier(): MmuNotifier | MmuIntervalNotifier | null {
    return this.interval ?? this.classic;
  }

  /** Does the segment hold the page at `address`? */
  holds(address: number): boolean {
    return address >= this.start && address < this.end;
  }

  /** Record `pin` for `importer`'s page `page`; returns the pin it replaces, if any. Call under {@link XpmemSegment.lock}. */
  record(importer: XpmemImporterPort, page: number, pin: XpmemPin): XpmemPin | undefined {
    let table = this.pins.get(importer);
    if (table === undefined) this.pins.set(importer, (table = new Map<number, XpmemPin>()));
    const old = table.get(page);
    table.set(page, pin);
    return old;
  }

  /** The importers holding a pin on a page of `[start, end)`. Call under the lock. */
  holders(start: number, end: number): XpmemImporterPort[] {
    const out: XpmemImporterPort[] = [];
    for (const [importer, table] of this.pins) {
      for (const page of table.keys()) {
        if (page < end && page + PAGE_SIZE > start) {
          out.push(importer);
          break;
        }
      }
    }
    return out;
  }

  /** Remove and return `importer`'s pins on pages of `[start, end)`. Call under the lock. */
  take(importer: XpmemImporterPort, start: number, end: number): XpmemPin[] {
    const table = this.pins.get(importer);
    if (table === undefined) return [];
    const out: XpmemPin[] = [];
    for (const [page, pin] of table) {
      if (page < end && page + PAGE_SIZE > start) {
        out.push(pin);
        table.delete(page);
      }
    }
    if (table.size === 0) this.pins.delete(importer);
    return out;
  }

  /** Importers holding a pin of frame `pfn`, with the page. Call under the lock. */
  holdersOfFrame(pfn: number): { importer: XpmemImporterPort; page: number }[] {
    const out: { importer: XpmemImporterPort; page: number }[] = [];
    for (const [importer, table] of this.pins) for (const [page, pin] of table) if (pin.pfn === pfn) out.push({ importer, page });
    return out;
  }
}
