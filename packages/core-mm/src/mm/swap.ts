import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { PG } from './frames.js';
import type { MemoryState } from './memory-state.js';
import { DEFAULT_SWAP_SLOTS, SwapDevice } from './swap-device.js';

/**
 * The machine's swap device (`swap_info[0]`), created with {@link DEFAULT_SWAP_SLOTS}
 * slots on first use. Per machine: a device belongs to one {@link Memory}.
 */
export function swapOf(mem: MemoryState): SwapDevice {
  return (mem.swapDevice ??= new SwapDevice(DEFAULT_SWAP_SLOTS));
}

/** The machine's swap device if one was created, without creating it (for audits). */
export function swapIfAny(mem: MemoryState): SwapDevice | undefined {
  return mem.swapDevice ?? undefined;
}

/**
 * `swapon` with a device of `slots` slots (0: no swap, so anonymous memory cannot be
 * reclaimed). Replaces the current device, which must have no slot in use (EBUSY:
 * `swapoff` would first have to bring every page back); EINVAL for a bad size.
 */
export function configureSwap(mem: MemoryState, slots: number): SwapDevice {
  const device = new SwapDevice(slots);
  const old = mem.swapDevice;
  if (old !== null && old.usedCount > 0) throw new SmmuError('EBUSY', `swapon: the current swap device has ${old.usedCount} slot(s) in use`);
  mem.swapDevice = device;
  return device;
}

/**
 * `add_to_swap_cache()`: `pfn` enters the swap cache under `slot`; the cache takes a
 * page reference. The caller has given the cache its use of the slot (`SWAP_HAS_CACHE`:
 * `allocSlot`'s first use, or a `dupSlot`).
 */
export function addToSwapCache(mem: MemoryState, swap: SwapDevice, slot: number, pfn: number): void {
  swap.cache.set(slot, pfn);
  swap.slotOfPage.set(pfn, slot);
  mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.swapcache;
  mem.allocator.get(pfn);
}

/** `delete_from_swap_cache()`: the page leaves the cache, with the slot use and page reference it held. */
export function deleteFromSwapCache(mem: MemoryState, task: Task, swap: SwapDevice, slot: number): void {
  const pfn = swap.cache.get(slot);
  if (pfn === undefined) return;
  swap.cache.delete(slot);
  swap.slotOfPage.delete(pfn);
  mem.frames.flags[pfn] = mem.frames.flags[pfn]! & ~PG.swapcache;
  swap.freeSlot(slot);
  mem.allocator.put(task, pfn);
}

/**
 * `swap_free()` for a swap entry that went away (swap-in, zap): when only the swap
 * cache still uses the slot, the cached page leaves it (`folio_free_swap` in
 * `do_swap_page`, `__try_to_reclaim_swap` in `free_swap_and_cache`) and becomes an
 * ordinary anonymous page — or is freed, if nothing maps or holds it.
 *
 * Only under the page lock, as in the kernel: `folio_free_swap()` requires it
 * (`folio_swapcache_freeable`: `VM_BUG_ON_FOLIO(!folio_test_locked(folio))`) and
 * `free_swap_and_cache` only tries it (`folio_trylock`). So a page another task holds
 * locked stays in the swap cache, with its slot: reclaim between `add_to_swap` and
 * `__remove_mapping` counts on that slot — its `try_to_unmap` may sleep in a notifier
 * range between two mappings and then `swap_duplicate`s the slot for the next one —
 * and migration moves the cached page. The holder settles the cache (reclaim drops it
 * when its walk left no swap entry; otherwise it stays until the entries go). The
 * caller holding the lock itself (as the kernel's `do_swap_page` does) may free it.
 */
export function dropSwapEntry(mem: MemoryState, task: Task, swap: SwapDevice, slot: number): void {
  swap.freeSlot(slot);
  if (swap.count[slot] !== 1) return;
  const pfn = swap.cache.get(slot);
  if (pfn === undefined) return;
  const holder = mem.pageLock.holder(pfn);
  if (holder !== null && holder !== task) return; // folio_trylock failed: the holder's business
  deleteFromSwapCache(mem, task, swap, slot);
}
