import { PAGE_SIZE, type Mm } from '@secondary-mmu/core-mm';
import type { CallbackCall, Subscriber } from '../events.js';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { hex, PageMap } from './page-map.js';
import { primaryPfn } from './primary.js';

/** Ranges wider than this many pages are cleared through the pages the rule knows, plus a bulk record. */
const WIDE = 512;

/**
 * One page, for one subscriber. Accesses and callbacks are ordered by the rule's access
 * serial: an access takes the next one; a callback notes the last one taken when it is
 * called (accesses after it came during the callback) and when it returns.
 */
interface PageAge {
  /** The live handles that accessed the page, each with the serial of its first access since the page's last clear returned (or earlier: none since). */
  readonly by: Map<JudgedTranslation, number>;
  /** The serial of the last access through any handle, dropped ones included (-1: none). */
  last: number;
  /** The latest serial a clear of the page was called at (-1: never cleared) … */
  clearedFrom: number;
  /** … and returned at. */
  clearedTo: number;
}

/** A wide clear, per mm: a page absent from `pages` but inside one was cleared by it. */
interface BulkClear {
  readonly mm: number;
  readonly start: number;
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

interface SubscriberAging {
  readonly pages: PageMap<PageAge>;
  bulk: BulkClear[];
}

/**
 * @internal The aging rule, per subscriber (the answers of its callbacks against the
 * accesses through the translations it covers, of every device answering for it — a
 * device with several subscriptions has each access counted for the one covering the
 * page), per page:
 *
 * - when `clear_flush_young` / `clear_young` returns false although a device accessed a
 *   page of the range after that page's last clear returned (or since the oracle
 *   began) and before this call began, through a translation it still holds — an
 *   `aging` finding; either way the page counts as cleared from the moment the call
 *   began. (True needs no access: a secondary with no accessed bit may drop its
 *   mapping and report young.)
 * - when `test_young` returns true for a page cleared since and not accessed since that
 *   clear began, or false for a page accessed (as above) through a translation still
 *   held — an `aging` finding.
 *
 * A callback is not atomic: the device keeps running while the driver tests and clears
 * its bits, so an access made while a clear runs may or may not have been cleared by
 * it, and an access made while any aging callback runs may or may not have been seen.
 * Such accesses never make an answer wrong: they let a later `test_young` answer young,
 * and do not require it.
 *
 * Every device counts, each through its own translations: an access through one handle
 * is not hidden by a later access through another. An access through a translation the
 * driver has dropped since no longer counts: with the mapping went the secondary's
 * accessed bit (KVM hands it to the page with `kvm_set_pfn_accessed` when it zaps an
 * spte; the model's drivers have no such hook), so a later not-young answer is right —
 * after a COW, for instance, the address names another page.
 *
 * A subscriber's state goes when it can get no more aging callbacks: when it is
 * unlisted (exit, unregister, its last put), unregistered or freed, or its mm's exit
 * released it (an interval subscriber's RELEASE invalidate); accesses to an exited mm
 * are not recorded.
 *
 * Kernel counterpart: none; it checks the contract of `mmu_notifier_clear_flush_young`,
 * `mmu_notifier_clear_young` and `mmu_notifier_test_young` in
 * `include/linux/mmu_notifier.h`.
 */
export class AgingRule {
  private readonly bySub = new Map<Subscriber, SubscriberAging>();
  /** The last access serial taken. */
  private serial = 0;
  /** Aging callbacks in flight: call id → the last access serial when it was called. */
  private readonly begun = new Map<number, number>();

  constructor(private readonly oracle: OracleContext) {}

  onAccess(h: JudgedTranslation): void {
    const n = ++this.serial;
    const sub = h.subscription;
    if (sub === null || h.mm.dead) return;
    const s = this.state(sub);
    if (s === null) return;
    const p = this.page(s, h.mm.id, h.address);
    const first = p.by.get(h);
    if (first === undefined || first <= p.clearedTo) p.by.set(h, n);
    p.last = n;
  }

  /** A handle was dropped: its accesses no longer count. */
  // Stryker disable next-line BlockStatement: only frees memory; accessedBy() skips handles no longer live
  onDropped(h: JudgedTranslation): void {
    const sub = h.subscription;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a null subscription finds no state (bySub holds none), so the test only saves a lookup
    if (sub !== null) this.bySub.get(sub)?.pages.get(h.mm.id, h.address)?.by.delete(h);
  }

  onCall(call: CallbackCall): void {
    const cb = call.callback;
    if ((cb === 'clear_flush_young' || cb === 'clear_young' || cb === 'test_young') && this.oracle.hasDevices(call.subscriber)) this.begun.set(call.id, this.serial);
  }

  onReturn(call: CallbackCall, result: unknown, error: unknown): void {
    if (call.callback === 'interval_invalidate' && call.event === 'release') {
      this.forget(call.subscriber);
      return;
    }
    const from = this.begun.get(call.id);
    if (from === undefined) return;
    this.begun.delete(call.id);
    const mm = call.mm;
    if (mm === null || error !== undefined) return; // a callback that threw is a driver-error already
    if (call.callback === 'test_young') this.tested(call, mm, result === true, from);
    else this.cleared(call, mm, result === true, from);
  }

  /** Drop everything known for `sub` (it gets no more aging callbacks). */
  forget(sub: Subscriber): void {
    this.bySub.delete(sub);
  }

  private state(sub: Subscriber): SubscriberAging | null {
    if (!this.oracle.hasDevices(sub)) return null;
    let s = this.bySub.get(sub);
    // Stryker disable next-line ArrayDeclaration: a string in the bulk list matches no mm id, so untouched() and the filter skip it
    if (s === undefined) this.bySub.set(sub, (s = { pages: new PageMap(), bulk: [] }));
    return s;
  }

  /** The page's record, made on first use. */
  private page(s: SubscriberAging, mmId: number, address: number): PageAge {
    let p = s.pages.get(mmId, address);
    if (p === undefined) s.pages.set(mmId, address, (p = untouched(s, mmId, address)));
    return p;
  }

  /** A handle still held that accessed the page after its last clear returned and before serial `from`; null when none. */
  private accessedBy(p: PageAge, from: number): JudgedTranslation | null {
    for (const [h, first] of p.by) if (h.live && first > p.clearedTo && first <= from) return h;
    return null;
  }

  private cleared(call: CallbackCall, mm: Mm, young: boolean, from: number): void {
    const s = this.state(call.subscriber);
    if (s === null) return;
    const to = this.serial;
    const accessed: string[] = [];
    const clear = (address: number, p: PageAge): void => {
      const by = young ? null : this.accessedBy(p, from);
      if (by !== null) accessed.push(`${hex(address)} (pfn ${primaryPfn(mm, address)}, by ${by.device.name})`);
      p.clearedFrom = Math.max(p.clearedFrom, from);
      p.clearedTo = Math.max(p.clearedTo, to);
    };
    const start = call.start - (call.start % PAGE_SIZE);
    const end = call.end;
    if ((end - start) / PAGE_SIZE <= WIDE) {
      for (let a = start; a < end; a += PAGE_SIZE) clear(a, this.page(s, mm.id, a));
    } else {
      const pages = s.pages.pagesOf(mm.id);
      if (pages !== undefined) {
        for (const [vpn, p] of pages) {
          const a = vpn * PAGE_SIZE;
          if (a >= start && a < end) clear(a, p);
        }
      }
      s.bulk = s.bulk.filter((b) => b.mm !== mm.id || b.start < start || b.end > end);
      s.bulk.push({ mm: mm.id, start, end, from, to });
    }
    if (accessed.length === 0) return;
    const shown = accessed.slice(0, 4).join(', ') + (accessed.length > 4 ? `, … (${accessed.length} pages)` : '');
    this.oracle.report(call.task, 'aging', `${call.subscriber.name}: ${call.callback}(${hex(call.start)}-${hex(call.end)}) on mm ${mm.id} answered not young, but its device accessed ${shown} since the last clear`);
  }

  private tested(call: CallbackCall, mm: Mm, young: boolean, from: number): void {
    const s = this.state(call.subscriber);
    if (s === null) return;
    const a = call.start;
    const p = s.pages.get(mm.id, a) ?? untouched(s, mm.id, a);
    const page = `${hex(a)} (mm ${mm.id}, pfn ${primaryPfn(mm, a)})`;
    if (young) {
      if (p.clearedFrom >= 0 && p.last <= p.clearedFrom) this.oracle.report(call.task, 'aging', `${call.subscriber.name}: test_young(${page}) answered young, but no device of it accessed the page since the last clear`);
      return;
    }
    const by = this.accessedBy(p, from);
    if (by !== null) this.oracle.report(call.task, 'aging', `${call.subscriber.name}: test_young(${page}) answered not young, but its device ${by.device.name} accessed the page since the last clear`);
  }
}

/** A record for a page no device accessed: cleared as the wide clears covering it left it. */
function untouched(s: SubscriberAging, mmId: number, address: number): PageAge {
  const p: PageAge = { by: new Map(), last: -1, clearedFrom: -1, clearedTo: -1 };
  for (const b of s.bulk) {
    if (b.mm !== mmId || address < b.start || address >= b.end) continue;
    p.clearedFrom = Math.max(p.clearedFrom, b.from);
    p.clearedTo = Math.max(p.clearedTo, b.to);
  }
  return p;
}
