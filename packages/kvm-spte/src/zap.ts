import type { KvmVm } from './vm.js';

/**
 * Zap, under `mmu_lock`, the sptes of every guest frame whose host page overlaps
 * `[start, end)`, through every memslot backing it; returns how many (a remote flush is
 * then needed before the pages may go). Kernel counterpart: 2.6.27's loop of
 * `kvm_unmap_hva()` over the range; `kvm_unmap_gfn_range()` per memslot in `v6`.
 */
export function zapHvaRange(vm: KvmVm, start: number, end: number): number {
  let n = 0;
  for (const { gfns } of vm.memslots.overlapping(start, end)) n += vm.sptes.zapGfns(gfns[0], gfns[1]);
  return n;
}
