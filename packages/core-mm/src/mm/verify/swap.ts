import { hex } from '../layout.js';
import type { MemoryState } from '../memory-state.js';
import type { Mm, Vma } from '../mm-types.js';
import type { SwapDevice } from '../swap-device.js';
import { swapIfAny } from '../swap.js';
import type { ReportFinding } from './finding.js';

/**
 * The machine's swap device and, per slot, the swap entries that name it (counted by
 * {@link checkSwapEntry} during the PTE pass).
 *
 * Kernel counterpart: the references `swap_map[]` counts, tallied from the page tables
 * as `try_to_unuse()` finds them at swapoff.
 */
export interface SwapTally {
  readonly swap: SwapDevice;
  readonly swapped: Int32Array;
}

/**
 * An empty tally for the machine's swap device, or null when it has none. Kernel
 * counterpart: the device `swapon` put in `swap_info[]` (the model has at most one).
 */
export function swapTally(mem: MemoryState): SwapTally | null {
  const swap = swapIfAny(mem);
  return swap === undefined ? null : { swap, swapped: new Int32Array(swap.slots) };
}

/**
 * A swap entry names a slot in use of an existing device, and lies in a vma with an
 * anon_vma; it is counted per slot in `tally`.
 *
 * Kernel counterpart: `_swap_info_get()`'s "Bad swap file entry" / "Bad swap offset
 * entry" and `swap_free()`'s "Unused swap offset entry"; the anon_vma because
 * `do_swap_page()` maps the page back with `folio_add_anon_rmap_pte()`.
 */
export function checkSwapEntry(mm: Mm, vma: Vma | undefined, address: number, slot: number, tally: SwapTally | null, report: ReportFinding): void {
  const where = `mm ${mm.id}: swap entry at ${hex(address)}`;
  if (vma !== undefined && vma.anonVma === null) report(`${where} (slot ${slot}) lies in the vma ${vma.toString()}, which has no anon_vma: swap-in could not map an anonymous page there`);
  if (tally === null) {
    report(`${where} names swap slot ${slot}, but the machine has no swap device`);
    return;
  }
  const { swap, swapped } = tally;
  if (slot >= swap.slots) {
    report(`${where} names swap slot ${slot}, beyond the device's ${swap.slots} slots`);
    return;
  }
  if (swap.count[slot] === 0) report(`swap entry names a free slot: ${where} names slot ${slot}, whose count is 0 (the slot may be reused, and swap-in would read another page's content)`);
  swapped[slot]!++;
}

/**
 * Each slot's count equals the swap entries naming it (plus one for the swap cache);
 * the device's free list holds exactly the slots with count 0. A slot with count 0 is
 * reported per entry by {@link checkSwapEntry}.
 *
 * Kernel counterpart: the balance of `swap_duplicate()` and `swap_free()` on
 * `swap_map[]` — more is a slot leaked until swapoff, fewer a slot freed under an
 * entry; and the device's free clusters against `si->inuse_pages`.
 */
export function checkSwapSlots(tally: SwapTally, report: ReportFinding): void {
  const { swap, swapped } = tally;
  for (let slot = 0; slot < swap.slots; slot++) {
    const count = swap.count[slot]!;
    const n = swapped[slot]! + (swap.cache.has(slot) ? 1 : 0); // the swap cache holds a use too
    if (count === n) continue;
    if (count === 0) continue; // reported per entry: names a free slot
    report(
      `swap slot ${slot} has count ${count} but ${n} swap entr${n === 1 ? 'y names' : 'ies name'} it${count > n ? ' (a leaked use: the slot is never freed)' : ' (a missing use: the slot would be freed while entries still name it)'}`,
    );
  }
  if (!swap.freeListConsistent()) report(`swap device: its free list does not hold exactly the ${swap.freeCount} slot(s) with count 0`);
}
