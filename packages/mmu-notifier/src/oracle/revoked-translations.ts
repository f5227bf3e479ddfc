import { PAGE_SIZE, type Task } from '@secondary-mmu/core-mm';
import type { CallbackCall } from '../events.js';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { hex } from './page-map.js';
import { primaryBits, primaryPfn, USER_PRESENT } from './primary.js';

/** The callbacks after whose return a driver must no longer reach what the PTE change took away. */
const REVOKING: ReadonlySet<string> = new Set([
  // Stryker disable next-line StringLiteral: a start's return is never judged (its own range is still in flight), so leaving it out changes nothing
  'invalidate_range_start',
  'invalidate_range_end',
  'invalidate_page',
  'interval_invalidate',
  'arch_invalidate_secondary_tlbs',
]);

/**
 * @internal The `revoked-translation` rule, every driver class: once a callback of the
 * driver covering an address returns and the CPU can no longer read the handle's frame
 * there — the PTE maps another frame or nothing (unmap, swap, migration, COW) or is
 * PROT_NONE — a handle of that device for that address which the driver did not drop
 * is *revoked*, and a later read through it is reported (once per handle), even when
 * the frame is still alive and nothing was written since: a device reading through a
 * translation the process revoked is the bug, whatever it happens to read. Writes
 * through it are judged by the outcome rules already (`lost-write`,
 * `write-through-read-only`).
 *
 * When a revocation is judged: at the return of `arch_invalidate_secondary_tlbs` (the
 * flush comes after the PTE change), of `invalidate_page` (likewise, 2008 eras) and of
 * the range callbacks — for those only when no other range is in flight on the mm, since
 * a driver holding references may legally keep a translation until that range's own end.
 * Write-protection alone revokes nothing (reads stay legal; writes are
 * `write-through-read-only`). A handle already judged by the invalidation-window rule
 * (`invalidate_page` of a no-references device) is left to it. A use of a freed frame is
 * `use-after-free` already and is not reported again here.
 *
 * Kernel counterpart: none; it checks the contract of `include/linux/mmu_notifier.h`:
 * when the callback returns, the secondary MMU no longer uses what the range took away.
 */
export class RevokedTranslationRule {
  private readonly revoked = new WeakMap<JudgedTranslation, string>();
  private readonly reported = new WeakSet<JudgedTranslation>();

  constructor(private readonly oracle: OracleContext) {}

  /** A callback returned at `time`: mark the handles it should have dropped. */
  onReturn(call: CallbackCall, time: number): void {
    const mm = call.mm;
    if (mm === null || !REVOKING.has(call.callback) || !this.oracle.hasDevices(call.subscriber)) return;
    const range = call.callback === 'invalidate_range_start' || call.callback === 'invalidate_range_end' || call.callback === 'interval_invalidate';
    // This end's own bracket is still counted until it returns to core-mm.
    if (range && mm.rangesInFlight > (call.callback === 'invalidate_range_end' ? 1 : 0)) return;
    for (const device of this.oracle.devicesFor(call.subscriber)) {
      for (const h of device.translations(mm)) {
        if (h.address >= call.end || h.address + PAGE_SIZE <= call.start || this.revoked.has(h)) continue;
        if (primaryPfn(mm, h.address) === h.pfn && (primaryBits(mm, h.address) & USER_PRESENT) === USER_PRESENT) continue;
        this.revoked.set(h, `${call.callback} [${hex(call.start)}, ${hex(call.end)}) by ${call.task.name} returned at ${time} ns`);
      }
    }
  }

  /** A read through `h` (after the outcome rules judged it). */
  onRead(task: Task, h: JudgedTranslation): void {
    const why = this.revoked.get(h);
    if (why === undefined || this.reported.has(h) || h.state.revokedBy !== null) return;
    const f = this.oracle.machine.mem.frames;
    if (f.generation[h.pfn] !== h.generation) return; // use-after-free said it
    this.reported.add(h);
    const now = primaryPfn(h.mm, h.address);
    const cpu = now < 0 ? 'maps nothing there' : now === h.pfn ? 'maps it PROT_NONE' : `maps pfn ${now} there`;
    this.oracle.report(task, 'revoked-translation', `${h.device.name}: read at ${hex(h.address)} (mm ${h.mm.id}) through pfn ${h.pfn}, a translation the driver kept after ${why}; the process ${cpu}`, [h.toString()]);
  }
}
