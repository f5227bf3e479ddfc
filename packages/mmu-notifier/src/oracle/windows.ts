import { PAGE_SIZE, type Mm, type MmuNotifierEvent, type Task } from '@secondary-mmu/core-mm';
import type { CallbackCall, Subscriber } from '../events.js';
import { subscriptionsOf } from '../subscriptions.js';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { hex } from './page-map.js';
import { primaryBits, primaryWord, USER_PRESENT } from './primary.js';

/** One open invalidation window of one subscriber. */
interface Window {
  readonly sub: Subscriber;
  readonly mm: Mm;
  readonly task: Task;
  readonly start: number;
  readonly end: number;
  readonly event: MmuNotifierEvent | null;
  /** An interval subscription's window: open while the mm's `invalidate_seq` is still `seq`. */
  readonly interval: boolean;
  readonly seq: number;
  /** Virtual time the start (or interval invalidate) returned. */
  readonly opened: number;
}

function isProtection(event: MmuNotifierEvent | null): boolean {
  return event === 'protection-vma' || event === 'protection-page';
}

/**
 * @internal The rules for drivers without page references (`'no-references'`).
 *
 * - A window opens when a subscriber's `invalidate_range_start` returns (0 — or any
 *   answer the VM does not honour: every 2008 answer, a blockable v6 one) or its
 *   interval `invalidate` returns true (or false in a blockable range, which the core
 *   WARNs about and ignores). A range window closes when the subscriber's own
 *   `invalidate_range_end` of the same bracket (same mm, task, range and event) is
 *   called; a subscriber without `end` has its window closed by the first `end` call
 *   of the bracket to anyone, or once no bracket is in flight on the mm
 *   (`mm.rangesInFlight` is 0). An interval window closes when the mm's
 *   `invalidate_seq` moves on (the last end of the epoch): exactly when
 *   `mmu_interval_read_begin` would stop waiting.
 * - `access-in-invalidation`: a device access to a page inside an open window of the
 *   subscription answering for the translation (`DeviceMmu.covering`: with one interval
 *   notifier per region, the region's own; another region's window says nothing of it), unless it is a read through a read-only handle while the
 *   window's event is PROTECTION_VMA / PROTECTION_PAGE and the primary still maps the
 *   handle's frame there readably; or any access through a handle established before
 *   an `invalidate_page` (2008 eras) for its page began and returned (no end bounds
 *   that: the translation had to go).
 * - `map-in-invalidation`: a handle established for a page inside an open window of
 *   the subscription answering for it.
 */
export class InvalidationWindows {
  private readonly open: Window[] = [];
  /** `invalidate_page` calls in flight: call id → the first handle id established after the call began. */
  private readonly pageCalls = new Map<number, number>();

  constructor(private readonly oracle: OracleContext) {}

  onCall(call: CallbackCall): void {
    if (call.callback === 'invalidate_range_end') {
      if (this.open.length > 0) this.closeBracket(call);
      return;
    }
    // Stryker disable next-line LogicalOperator: an entry made for another call, or for a subscriber not judged, is never read (revoke looks up its own call, and only for judged subscribers)
    if (call.callback === 'invalidate_page' && this.oracle.judgesRules(call.subscriber)) this.pageCalls.set(call.id, this.oracle.nextId);
  }

  onReturn(call: CallbackCall, result: unknown, time: number): void {
    const mm = call.mm;
    const cb = call.callback;
    if (
      // Stryker disable next-line LogicalOperator: these callbacks always have an mm, the switch ignores the others, and a subscriber not judged has no device a window could speak for
      mm === null ||
      (cb !== 'invalidate_range_start' && cb !== 'interval_invalidate' && cb !== 'invalidate_page') ||
      !this.oracle.judgesRules(call.subscriber)
    )
      return;
    switch (cb) {
      case 'invalidate_range_start':
        if (result === 0 || call.blockable || this.oracle.machine.era !== 'v6') this.add(call, mm, false, 0, time);
        return;
      case 'interval_invalidate': {
        const subs = subscriptionsOf(mm);
        if (subs !== null && (result === true || call.blockable)) this.add(call, mm, true, subs.invalidateSeq, time);
        return;
      }
      case 'invalidate_page':
        this.revoke(call, mm, time);
        return;
      // Stryker disable next-line ConditionalExpression: unreachable, the callbacks were filtered above
      default:
        return;
    }
  }

  /** `access-in-invalidation` for an access through `h` (a no-references device). */
  checkAccess(task: Task, h: JudgedTranslation, write: boolean): void {
    const revoked = h.state.revokedBy;
    if (revoked !== null) {
      this.oracle.report(task, 'access-in-invalidation', `${h.device.name}: ${write ? 'write' : 'read'} at ${hex(h.address)} (mm ${h.mm.id}, pfn ${h.pfn}) through a translation ${revoked} — it had to be gone when that call returned`, [h.toString()]);
      return;
    }
    const w = this.covering(h.subscription, h.mm, h.address);
    if (w === null) return;
    if (!write && !h.state.writable && isProtection(w.event) && this.stillReadable(h)) return;
    this.oracle.report(
      task,
      'access-in-invalidation',
      `${h.device.name}: ${write ? 'write' : 'read'} at ${hex(h.address)} (mm ${h.mm.id}, pfn ${h.pfn}) after ${describe(w)} returned and before its end`,
      [h.toString()],
    );
  }

  /** `map-in-invalidation` for a handle just established (a no-references device). */
  checkEstablish(task: Task, h: JudgedTranslation): void {
    const w = this.covering(h.subscription, h.mm, h.address);
    if (w === null) return;
    this.oracle.report(
      task,
      'map-in-invalidation',
      `${h.device.name}: new translation of ${hex(h.address)} (mm ${h.mm.id}) to pfn ${h.pfn} after ${describe(w)} returned and before its end`,
      [h.toString()],
    );
  }

  private add(call: CallbackCall, mm: Mm, interval: boolean, seq: number, time: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: pruning only frees memory; covering() skips closed windows itself
    if (this.open.length >= 64) this.prune();
    this.open.push({ sub: call.subscriber, mm, task: call.task, start: call.start, end: call.end, event: call.event, interval, seq, opened: time });
  }

  /**
   * `invalidate_range_end` called for `call.subscriber`: its window of that bracket
   * closes (the innermost of identical nested brackets), and so do the windows of
   * subscribers that have no `end` to be called with.
   */
  private closeBracket(call: CallbackCall): void {
    const open = this.open;
    // Stryker disable next-line ArrayDeclaration: a string in the list is never a subscriber, so it changes no includes() answer
    const closed: Subscriber[] = [];
    for (let i = open.length - 1; i >= 0; i--) {
      const w = open[i]!;
      if (w.interval || w.mm !== call.mm || w.task !== call.task || w.start !== call.start || w.end !== call.end || w.event !== call.event) continue;
      if (closed.includes(w.sub) || (w.sub !== call.subscriber && hasEnd(w.sub))) continue;
      closed.push(w.sub);
      open.splice(i, 1);
    }
  }

  /** `invalidate_page` returned: every live handle of the page established before the call began is revoked. */
  private revoke(call: CallbackCall, mm: Mm, time: number): void {
    const before = this.pageCalls.get(call.id);
    this.pageCalls.delete(call.id);
    if (before === undefined) return;
    const list = this.oracle.translationsAt(mm.id, call.start);
    if (list === undefined) return;
    for (const h of list) {
      if (h.id < before && h.subscription === call.subscriber && h.device.driverClass === 'no-references' && h.state.revokedBy === null) {
        h.state.revokedBy = `invalidate_page(${hex(call.start)}) by ${call.task.name} already invalidated (returned at ${time} ns)`;
      }
    }
  }

  /** The open window of `sub` covering the page at `address` of `mm`, pruning closed ones; null when none. */
  private covering(sub: Subscriber | null, mm: Mm, address: number): Window | null {
    const open = this.open;
    // Stryker disable next-line LogicalOperator: both are shortcuts; without them the loop finds nothing (no window has a null subscriber) and returns null
    if (sub === null || open.length === 0) return null;
    let found: Window | null = null;
    for (let i = open.length - 1; i >= 0; i--) {
      const w = open[i]!;
      if (!this.stillOpen(w)) {
        open.splice(i, 1);
        continue;
      }
      if (found === null && w.sub === sub && w.mm === mm && address < w.end && address + PAGE_SIZE > w.start) found = w;
    }
    return found;
  }

  // Stryker disable next-line BlockStatement: pruning only frees memory; covering() skips closed windows itself
  private prune(): void {
    const open = this.open;
    for (
      let i = open.length - 1;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a closed window left in the list (index 0, or all of them) only costs memory
      i >= 0;
      i--
    )
      if (!this.stillOpen(open[i]!)) open.splice(i, 1);
  }

  private stillOpen(w: Window): boolean {
    if (!w.interval) return w.mm.rangesInFlight > 0;
    const subs = subscriptionsOf(w.mm);
    return subs !== null && subs.invalidateSeq === w.seq;
  }

  /** The primary still maps the handle's frame there, readable by the CPU. */
  private stillReadable(h: JudgedTranslation): boolean {
    const bits = primaryBits(h.mm, h.address);
    return (bits & USER_PRESENT) === USER_PRESENT && primaryWord(h.mm, h.address) === h.pfn;
  }
}

/** The subscriber will get an `invalidate_range_end` of its own (a classic notifier implementing it). */
function hasEnd(sub: Subscriber): boolean {
  const ops = (sub as { ops?: { invalidateRangeEnd?: unknown } }).ops;
  // Stryker disable next-line OptionalChaining: only range windows get here, and their subscribers are classic notifiers, which always have ops
  return ops?.invalidateRangeEnd !== undefined;
}

function describe(w: Window): string {
  const what = w.interval ? 'interval invalidate' : 'invalidate_range_start';
  // Stryker disable next-line StringLiteral: a range callback always has an event; the fallback only satisfies the type
  const event = w.event ?? 'no event';
  return `${w.sub.name}'s ${what}(${hex(w.start)}-${hex(w.end)}, ${event}) by ${w.task.name} at ${w.opened} ns`;
}
