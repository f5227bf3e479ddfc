import { PAGE_SIZE, type Mm } from '@secondary-mmu/core-mm';
import type { CallbackCall, Subscriber } from '../events.js';
import type { CoherenceOracle } from './oracle.js';
import { hex, PageMap } from './page-map.js';
import { primaryPfn } from './primary.js';
import type { DeviceTranslation } from './translation.js';

/** Ranges wider than this many pages are cleared through the pages the rule knows, plus a bulk record. */
const WIDE = 512;

/** Per page: the translation of the last access since the last clear, or null for cleared and not accessed since. */
type PageAge = DeviceTranslation | null;

interface SubscriberAging {
  readonly pages: PageMap<PageAge>;
  /** Wide clears, per mm: a page absent from `pages` but inside one was cleared. */
  readonly bulk: { mm: number; start: number; end: number }[];
}

/**
 * @internal The aging rule, per subscriber (the answers of its callbacks against the
 * accesses of every device answering for it), per page:
 *
 * - when `clear_flush_young` / `clear_young` returns false although a device accessed a
 *   page of the range since that page's last clear (or since the oracle began) through
 *   a translation it still holds — an `aging` finding; either way every page of the
 *   range counts as cleared afterwards. (True needs no access: a secondary with no
 *   accessed bit may drop its mapping and report young.)
 * - when `test_young` returns true for a page cleared since and not accessed since, or
 *   false for a page accessed since its last clear through a translation still held —
 *   an `aging` finding.
 *
 * An access through a translation the driver has dropped since no longer counts: with
 * the mapping went the secondary's accessed bit (KVM hands it to the page with
 * `kvm_set_pfn_accessed` when it zaps an spte; the model's drivers have no such hook),
 * so a later not-young answer is right — after a COW, for instance, the address names
 * another page.
 *
 * Kernel counterpart: none; it checks the contract of `mmu_notifier_clear_flush_young`,
 * `mmu_notifier_clear_young` and `mmu_notifier_test_young` in
 * `include/linux/mmu_notifier.h`.
 */
export class AgingRule {
  private readonly bySub = new Map<Subscriber, SubscriberAging>();

  constructor(private readonly oracle: CoherenceOracle) {}

  onAccess(h: DeviceTranslation): void {
    const sub = h.device.subscription;
    if (sub === null) return;
    let s = this.bySub.get(sub);
    if (s === undefined) this.bySub.set(sub, (s = { pages: new PageMap(), bulk: [] }));
    s.pages.set(h.mm.id, h.address, h);
  }

  onReturn(call: CallbackCall, result: unknown, error: unknown): void {
    const mm = call.mm;
    if (mm === null || error !== undefined) return; // a callback that threw is a driver-error already
    switch (call.callback) {
      case 'clear_flush_young':
      case 'clear_young':
        this.cleared(call, mm, result === true);
        return;
      case 'test_young':
        this.tested(call, mm, result === true);
        return;
      default:
        return;
    }
  }

  private state(sub: Subscriber): SubscriberAging | null {
    if (!this.oracle.hasDevices(sub)) return null;
    let s = this.bySub.get(sub);
    if (s === undefined) this.bySub.set(sub, (s = { pages: new PageMap(), bulk: [] }));
    return s;
  }

  private cleared(call: CallbackCall, mm: Mm, young: boolean): void {
    const s = this.state(call.subscriber);
    if (s === null) return;
    const accessed: string[] = [];
    const note = (address: number, by: PageAge): void => {
      if (by !== null && by.live && !young) accessed.push(`${hex(address)} (pfn ${primaryPfn(mm, address)}, by ${by.device.name})`);
    };
    const start = call.start - (call.start % PAGE_SIZE);
    const end = call.end;
    if ((end - start) / PAGE_SIZE <= WIDE) {
      for (let a = start; a < end; a += PAGE_SIZE) {
        const by = s.pages.get(mm.id, a);
        if (by !== undefined) note(a, by);
        s.pages.set(mm.id, a, null);
      }
    } else {
      const pages = s.pages.pagesOf(mm.id);
      if (pages !== undefined) {
        for (const [vpn, by] of pages) {
          const a = vpn * PAGE_SIZE;
          if (a < start || a >= end) continue;
          note(a, by);
          s.pages.set(mm.id, a, null);
        }
      }
      if (!s.bulk.some((b) => b.mm === mm.id && b.start <= start && b.end >= end)) s.bulk.push({ mm: mm.id, start, end });
    }
    if (accessed.length === 0) return;
    const shown = accessed.slice(0, 4).join(', ') + (accessed.length > 4 ? `, … (${accessed.length} pages)` : '');
    this.oracle.report(call.task, 'aging', `${call.subscriber.name}: ${call.callback}(${hex(call.start)}-${hex(call.end)}) on mm ${mm.id} answered not young, but its device accessed ${shown} since the last clear`);
  }

  private tested(call: CallbackCall, mm: Mm, young: boolean): void {
    const s = this.state(call.subscriber);
    if (s === null) return;
    const a = call.start;
    const by = s.pages.get(mm.id, a);
    const cleared = by === null || (by === undefined && s.bulk.some((b) => b.mm === mm.id && a >= b.start && a < b.end));
    const page = `${hex(a)} (mm ${mm.id}, pfn ${primaryPfn(mm, a)})`;
    if (young && cleared) {
      this.oracle.report(call.task, 'aging', `${call.subscriber.name}: test_young(${page}) answered young, but no device of it accessed the page since the last clear`);
    } else if (!young && by !== null && by !== undefined && by.live) {
      this.oracle.report(call.task, 'aging', `${call.subscriber.name}: test_young(${page}) answered not young, but its device ${by.device.name} accessed the page since the last clear`);
    }
  }
}
