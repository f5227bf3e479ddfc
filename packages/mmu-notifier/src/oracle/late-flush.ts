import type { MmEvent } from '@secondary-mmu/core-mm';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { hex } from './page-map.js';

/**
 * @internal The rule for devices sharing the CPU page table (`'shares-cpu-page-table'`,
 * `arch_invalidate_secondary_tlbs` users). The kernel requires their flush under the
 * PT lock when a page is freed before `end` or the PTE is switched to a new page, and
 * lets downgrades wait. core-mm calls `arch_invalidate_secondary_tlbs` under the PT
 * lock at every such site, before it frees the page (after the lock: `tlb_finish_mmu`)
 * or installs the new PTE, so the checkable form is: the flush was late if, when
 *
 * - the frame (that generation) is freed — the `frame-free` event — or
 * - the PTE at an address is set to a different present frame — a `pte` event with a
 *   new pfn —
 *
 * the device still holds a live translation of the old frame (at that address, for
 * the second). Permission-only changes (write-protect) are not checked: they may wait
 * (`DeferredDowngrades`). Reported once per translation, as `late-secondary-flush`.
 * Kernel counterpart: none; it checks the rule of `Documentation/mm/mmu_notifier.rst`.
 */
export class LateFlushRule {
  /** The live handles of such devices, by frame. */
  private readonly byPfn = new Map<number, JudgedTranslation[]>();

  constructor(private readonly oracle: OracleContext) {}

  /** A handle was made. */
  onEstablished(h: JudgedTranslation): void {
    if (h.device.driverClass !== 'shares-cpu-page-table') return;
    const list = this.byPfn.get(h.pfn);
    if (list === undefined) this.byPfn.set(h.pfn, [h]);
    else list.push(h);
  }

  /** A handle was dropped. */
  onDropped(h: JudgedTranslation): void {
    const list = h.device.driverClass === 'shares-cpu-page-table' ? this.byPfn.get(h.pfn) : undefined;
    if (list === undefined) return;
    const i = list.indexOf(h);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byPfn.delete(h.pfn);
  }

  onPte(e: Extract<MmEvent, { kind: 'pte' }>, handles: readonly JudgedTranslation[]): void {
    const q = e.newPfn;
    if (q < 0 || q === e.oldPfn) return;
    for (const h of handles) {
      if (h.device.driverClass !== 'shares-cpu-page-table' || h.pfn === q || h.state.lateFlushReported) continue;
      h.state.lateFlushReported = true;
      this.oracle.report(
        null,
        'late-secondary-flush',
        `${h.device.name}: the PTE at ${hex(e.address)} (mm ${e.mm}) moved to pfn ${q} (${e.cause}) while the device TLB still held pfn ${h.pfn}: the flush must come under the PT lock, before the new page is mapped`,
        [h.toString()],
      );
    }
  }

  onFrameFree(e: Extract<MmEvent, { kind: 'frame-free' }>): void {
    const list = this.byPfn.get(e.pfn);
    if (list === undefined) return;
    for (const h of list) {
      if (h.generation !== e.generation || h.state.lateFlushReported) continue;
      h.state.lateFlushReported = true;
      this.oracle.report(
        null,
        'late-secondary-flush',
        `${h.device.name}: pfn ${e.pfn} was freed while the device TLB still held it for ${hex(h.address)} (mm ${h.mm.id}): the flush must come under the PT lock, before the page is freed`,
        [h.toString()],
      );
    }
  }
}
