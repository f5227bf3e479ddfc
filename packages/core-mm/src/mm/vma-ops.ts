import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { PAGE_SIZE } from './layout.js';
import { Vma, type AnonVma } from './mm-types.js';

/**
 * Vma surgery, as mm/vma.c does it: every change to a vma's range or pgoff re-keys it
 * in the reverse-map trees, under `i_mmap_lock_write` then `anon_vma_lock_write`
 * (`vma_prepare` / `vma_complete`).
 */

/** Run `body` with the rmap trees of `vma` locked for writing. */
export function withRmapWrite<T>(task: Task, vma: Vma, body: () => T): T | Promise<T> {
  const file = vma.file;
  const anon = vma.anonVma;
  const locked = andThen(file === null ? undefined : file.iMmapLock.lockWrite(task), () => (anon === null ? undefined : anon.lock.lockWrite(task)));
  return andThen(locked, () => {
    const result = body();
    const unlocked = andThen(anon === null ? undefined : anon.lock.unlockWrite(task), () => (file === null ? undefined : file.iMmapLock.unlockWrite(task)));
    return andThen(unlocked, () => result);
  });
}

/** `vma_link()`: insert a new vma into its mm and its file's `i_mmap`. */
export function linkVma(task: Task, vma: Vma): void | Promise<void> {
  vma.mm.vmas.insert(vma);
  return withRmapWrite(task, vma, () => {
    if (vma.file !== null) vma.iMmapNode = vma.file.iMmap.insert(vma.pgoff, vma.lastPgoff, vma);
  });
}

/** Take `vma` out of the reverse-map trees (`unlink_anon_vmas`, `unlink_file_vma`); the mm's tree is the caller's. */
export function unlinkVmaRmap(task: Task, vma: Vma): void | Promise<void> {
  return withRmapWrite(task, vma, () => {
    unlinkAnonVmas(vma);
    if (vma.file !== null && vma.iMmapNode !== null) vma.file.iMmap.remove(vma.iMmapNode);
    vma.iMmapNode = null;
  });
}

function rekey(vma: Vma): void {
  relinkAnonVma(vma);
  if (vma.file !== null) {
    if (vma.iMmapNode !== null) vma.file.iMmap.remove(vma.iMmapNode);
    vma.iMmapNode = vma.file.iMmap.insert(vma.pgoff, vma.lastPgoff, vma);
  }
}

/** `split_vma()`: cut `vma` at `address`; `vma` keeps `[start, address)`, the result is `[address, end)`. */
export function splitVma(task: Task, vma: Vma, address: number): Vma | Promise<Vma> {
  const upper = new Vma(vma.mm, address, vma.end, vma.flags, vma.file, vma.pgoff + (address - vma.start) / PAGE_SIZE);
  upper.anonVma = vma.anonVma;
  return withRmapWrite(task, vma, () => {
    vma.end = address;
    rekey(vma);
    for (const chain of vma.chains) linkAnonVma(upper, chain.anonVma);
    if (upper.file !== null) upper.iMmapNode = upper.file.iMmap.insert(upper.pgoff, upper.lastPgoff, upper);
    vma.mm.vmas.insert(upper);
    return upper;
  });
}

/**
 * `copy_vma()` for mremap: a new vma `[address, address + length)` with `vma`'s flags
 * and file, page offset `pgoff`, linked into the mm, the file's `i_mmap` and every
 * anon_vma `vma` belongs to (`anon_vma_clone`), so the pages moved into it stay
 * reachable by the reverse maps. The model does not try to merge it here; the caller
 * merges once the page tables have moved.
 */
export function copyVma(task: Task, vma: Vma, address: number, length: number, pgoff: number): Vma | Promise<Vma> {
  const copy = new Vma(vma.mm, address, address + length, vma.flags, vma.file, pgoff);
  copy.anonVma = vma.anonVma;
  vma.mm.vmas.insert(copy);
  return withRmapWrite(task, vma, () => {
    for (const chain of vma.chains) linkAnonVma(copy, chain.anonVma);
    if (copy.file !== null) copy.iMmapNode = copy.file.iMmap.insert(copy.pgoff, copy.lastPgoff, copy);
    return copy;
  });
}

/** `vma_expand()` in place (mremap growing a vma into the free space after it): move its end to `end`, re-keyed in the reverse maps. */
export function expandVma(task: Task, vma: Vma, end: number): void | Promise<void> {
  return withRmapWrite(task, vma, () => {
    vma.end = end;
    rekey(vma);
  });
}

/** Whether `b` can be folded into `a` (`is_mergeable_vma` + `can_vma_merge_after`). */
export function canMerge(a: Vma, b: Vma): boolean {
  return a.end === b.start && a.flags === b.flags && a.file === b.file && b.pgoff === a.pgoff + a.pages && anonCompatible(a, b);
}

/**
 * `is_mergeable_anon_vma()`: the same anon_vma and chains, or one side has none yet
 * and the other has no fork ancestry (a single chain), so it can adopt it.
 */
function anonCompatible(a: Vma, b: Vma): boolean {
  if (a.anonVma === null || b.anonVma === null) return (a.anonVma === null ? b : a).chains.length <= 1;
  return a.anonVma === b.anonVma && a.chains.length === b.chains.length && a.chains.every((c, i) => c.anonVma === b.chains[i]!.anonVma);
}

/** `vma_merge()` around `vma`: fold it into its neighbours where they match. Returns the surviving vma. */
export function mergeAround(task: Task, vma: Vma): Vma | Promise<Vma> {
  const prev = vma.mm.vmas.prev(vma);
  const first = prev !== undefined && canMerge(prev, vma) ? absorb(task, prev, vma) : vma;
  return andThen(first, (kept) => {
    const next = kept.mm.vmas.next(kept);
    return next !== undefined && canMerge(kept, next) ? absorb(task, kept, next) : kept;
  });
}

/** Extend `a` over `b` and drop `b`. */
function absorb(task: Task, a: Vma, b: Vma): Vma | Promise<Vma> {
  return withRmapWrite(task, a.anonVma !== null || b.anonVma === null ? a : b, () => {
    if (a.anonVma === null && b.anonVma !== null) {
      // `a` adopts b's anon_vma: b's pages keep their linear indices, valid in `a`.
      a.anonVma = b.anonVma;
      for (const chain of b.chains) linkAnonVma(a, chain.anonVma);
    }
    unlinkAnonVmas(b);
    if (b.file !== null && b.iMmapNode !== null) b.file.iMmap.remove(b.iMmapNode);
    b.iMmapNode = null;
    a.mm.vmas.remove(b);
    a.end = b.end;
    rekey(a);
    return a;
  });
}

/** Link `vma` into `anonVma`'s tree (`anon_vma_chain_link`); the caller holds the anon_vma lock for writing. */
export function linkAnonVma(vma: Vma, anonVma: AnonVma): void {
  const chain = { anonVma, node: anonVma.tree.insert(vma.pgoff, vma.lastPgoff, vma) };
  vma.chains.push(chain);
}

/** Re-key `vma` in every anon_vma tree after its range or pgoff changed. */
export function relinkAnonVma(vma: Vma): void {
  for (const chain of vma.chains) {
    if (chain.node !== null) chain.anonVma.tree.remove(chain.node);
    chain.node = chain.anonVma.tree.insert(vma.pgoff, vma.lastPgoff, vma);
  }
}

/** Unlink `vma` from every anon_vma (`unlink_anon_vmas`). */
export function unlinkAnonVmas(vma: Vma): void {
  for (const chain of vma.chains) if (chain.node !== null) chain.anonVma.tree.remove(chain.node);
  vma.chains.length = 0;
}
