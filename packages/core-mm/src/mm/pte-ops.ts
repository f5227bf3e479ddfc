import type { Task } from '../kernel/sched/task.js';
import { PAGE_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import type { PteCause } from './observe.js';
import type { PteTable } from './page-table.js';
import { PTE, ptePermission } from './pte.js';

/**
 * `set_pte_at()`: write one entry and tell the observation face. Every PTE change in
 * the model goes through here (or {@link clearPte}), so the oracle sees them all.
 */
export function setPte(mem: MemoryState, mm: Mm, table: PteTable, i: number, word: number, bits: number, cause: PteCause): void {
  const oldBits = table.bits[i]!;
  const oldWord = table.word[i]!;
  if (oldBits === 0 && bits !== 0) table.used++;
  else if (oldBits !== 0 && bits === 0) table.used--;
  table.word[i] = word;
  table.bits[i] = bits;
  if (mem.observers.active) {
    mem.observers.emit({
      kind: 'pte',
      mm: mm.id,
      address: (table.base + i) * PAGE_SIZE,
      oldPfn: (oldBits & PTE.present) !== 0 ? oldWord : -1,
      newPfn: (bits & PTE.present) !== 0 ? word : -1,
      oldPermission: ptePermission(oldBits),
      newPermission: ptePermission(bits),
      cause,
      time: mem.kernel.clock.now,
    });
  }
}

/** `ptep_get_and_clear()`: the old bits (the pfn stays readable in `table.word[i]` until reused). */
export function clearPte(mem: MemoryState, mm: Mm, table: PteTable, i: number, cause: PteCause): number {
  const old = table.bits[i]!;
  if (old !== 0) setPte(mem, mm, table, i, table.word[i]!, 0, cause);
  return old;
}

/** Change only the bits of a present entry (`pte_modify`, `ptep_set_wrprotect`, `pte_mkyoung`). */
export function updatePteBits(mem: MemoryState, mm: Mm, table: PteTable, i: number, bits: number, cause: PteCause): void {
  const old = table.bits[i]!;
  if (old === bits) return;
  // Only permission changes are observable events; young/dirty updates by the hardware walk are not.
  if (mem.observers.active && ptePermission(old) !== ptePermission(bits)) setPte(mem, mm, table, i, table.word[i]!, bits, cause);
  else table.bits[i] = bits;
}

/** Frame history entry for a map or unmap by `task`. */
export function recordFrame(mem: MemoryState, pfn: number, event: 'map' | 'unmap' | 'cow' | 'dirty' | 'pin' | 'unpin', task: Task): void {
  if (pfn !== mem.allocator.zeroPfn) mem.frames.record(pfn, event, task.id, mem.kernel.clock.now);
}
