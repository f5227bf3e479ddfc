import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { releaseShmem } from './file-ops.js';
import type { Inode, Mm } from './mm-types.js';
import { checkUserRange, hex, PAGE_SIZE, pageAlignUp, pageAligned, TASK_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart } from './notify.js';
import { linkVma, mergeAround, splitVma, unlinkVmaRmap } from './vma-ops.js';
import { VM, Vma } from './mm-types.js';
import { zapRange } from './zap.js';

/** `PROT_*`. */
export const PROT = { none: 0, read: 1, write: 2, exec: 4 } as const;
/** `MAP_*` (Linux values). */
export const MAP = { shared: 0x01, private: 0x02, fixed: 0x10, anonymous: 0x20, fixedNoReplace: 0x100000 } as const;

/** Arguments of {@link mmap}. */
export interface MmapArgs {
  /** A hint, or the address for `MAP_FIXED` / `MAP_FIXED_NOREPLACE`. */
  readonly addr?: number;
  readonly length: number;
  /** `PROT_*` bits. */
  readonly prot: number;
  /** `MAP_SHARED` or `MAP_PRIVATE`, with `MAP_FIXED`, `MAP_FIXED_NOREPLACE`, `MAP_ANONYMOUS`. */
  readonly flags: number;
  /** The file to map; anonymous memory when absent. */
  readonly file?: Inode;
  /** Byte offset in the file, page aligned. */
  readonly offset?: number;
}

/** Where unhinted mappings go, top-down (`mm->mmap_base`): above 2^32, as on x86-64. */
export const MMAP_BASE = 0x7f0000000000;

const KNOWN_MAP = MAP.shared | MAP.private | MAP.fixed | MAP.anonymous | MAP.fixedNoReplace;

/**
 * `mmap()` (`do_mmap`): validate everything first — a rejected call changes nothing —
 * then, under `mmap_lock` for writing, pick the range (`MAP_FIXED` replaces what is
 * there, `MAP_FIXED_NOREPLACE` refuses with EEXIST, otherwise the hint or the highest
 * gap below `MMAP_BASE`), create the vma, link it into its file's `i_mmap`, and merge
 * it with compatible neighbours. A shared anonymous mapping is backed by a fresh
 * shmem-like file. Returns the address.
 */
export function mmap(mem: MemoryState, task: Task, args: MmapArgs): number | Promise<number> {
  const mm = requireMm(task);
  const { length, prot, flags, file } = args;
  const offset = args.offset ?? 0;
  if (!Number.isSafeInteger(length) || length <= 0) throw new SmmuError('EINVAL', `mmap: length ${String(length)} must be a positive integer`);
  // Unknown prot bits are ignored by mmap (only mprotect validates them), as in Linux.
  if (!Number.isSafeInteger(prot) || prot < 0) throw new SmmuError('EINVAL', `mmap: prot ${String(prot)} is not a valid protection`);
  if (!Number.isInteger(flags) || flags < 0 || flags > KNOWN_MAP || (flags & ~KNOWN_MAP) !== 0) throw new SmmuError('EINVAL', `mmap: flags ${String(flags)} has unknown bits`);
  const shared = (flags & MAP.shared) !== 0;
  if (shared === ((flags & MAP.private) !== 0)) throw new SmmuError('EINVAL', `mmap: flags ${hex(flags)} must have exactly one of MAP_SHARED and MAP_PRIVATE`);
  if ((flags & MAP.anonymous) !== 0 && file !== undefined) throw new SmmuError('EINVAL', 'mmap: MAP_ANONYMOUS with a file');
  if (!Number.isSafeInteger(offset) || offset < 0 || !pageAligned(offset)) throw new SmmuError('EINVAL', `mmap: offset ${String(offset)} must be a page-aligned non-negative integer`);
  const len = pageAlignUp(length);
  if (len > TASK_SIZE) throw new SmmuError('ENOMEM', `mmap: length ${length} is larger than the address space`);
  const fixed = (flags & (MAP.fixed | MAP.fixedNoReplace)) !== 0;
  if (fixed) checkUserRange('mmap', args.addr ?? Number.NaN, len);
  return andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () => mmapLocked(mem, task, mm, args, len, offset, shared),
      () => mm.mmapLock.upWrite(task),
    ),
  );
}

function mmapLocked(mem: MemoryState, task: Task, mm: Mm, args: MmapArgs, len: number, offset: number, shared: boolean): number | Promise<number> {
  assertAlive(task, mm);
  const { flags, prot } = args;
  let start: number;
  if ((flags & (MAP.fixed | MAP.fixedNoReplace)) !== 0) {
    start = args.addr!;
    if ((flags & MAP.fixed) === 0 && mm.vmas.overlapping(start, start + len).length > 0) {
      throw new SmmuError('EEXIST', `mmap: MAP_FIXED_NOREPLACE at ${hex(start)}-${hex(start + len)} overlaps an existing mapping`);
    }
  } else {
    start = unmappedArea(mm, args.addr, len);
  }
  const file = args.file ?? (shared ? mem.createShmem(`shmem:${hex(start)}`, len) : undefined);
  let vmFlags = (prot & PROT.read ? VM.read : 0) | (prot & PROT.write ? VM.write : 0) | (prot & PROT.exec ? VM.exec : 0);
  vmFlags |= VM.mayRead | VM.mayWrite | VM.mayExec;
  if (shared) vmFlags |= VM.shared | VM.mayShare;
  const pgoff = file === undefined ? start / PAGE_SIZE : offset / PAGE_SIZE;
  const replaced = (flags & MAP.fixed) !== 0 ? unmapLocked(mem, task, mm, start, start + len, false) : undefined;
  return andThen(replaced, () => {
    const vma = new Vma(mm, start, start + len, vmFlags, file ?? null, pgoff);
    return andThen(linkVma(task, vma), () => andThen(mergeAround(task, vma), () => start));
  });
}

/** `get_unmapped_area()`: the hint if it is free, else the highest gap below `MMAP_BASE` that fits; ENOMEM if none does. */
export function unmappedArea(mm: Mm, hint: number | undefined, len: number): number {
  if (hint !== undefined && Number.isSafeInteger(hint) && hint > 0 && pageAligned(hint) && hint + len <= TASK_SIZE && mm.vmas.overlapping(hint, hint + len).length === 0) {
    return hint;
  }
  let top = MMAP_BASE;
  const below = mm.vmas.overlapping(0, MMAP_BASE).reverse();
  for (const vma of below) {
    if (vma.end <= top - len) return top - len;
    top = Math.min(top, vma.start);
  }
  if (top - len >= PAGE_SIZE * 16) return top - len;
  throw new SmmuError('ENOMEM', `mmap: no gap of ${len} bytes below ${hex(MMAP_BASE)}`);
}

/**
 * `munmap()`: EINVAL for an unaligned address or a zero or overflowing length; a hole
 * is fine. Under `mmap_lock` for writing, detach the vmas (splitting at the edges);
 * in v6 downgrade to reading before the PTEs are cleared, as `do_vmi_align_munmap`
 * does; zap inside one UNMAP notifier range; unlink the vmas from the reverse maps.
 */
export function munmap(mem: MemoryState, task: Task, addr: number, length: number): void | Promise<void> {
  const mm = requireMm(task);
  if (length === 0) throw new SmmuError('EINVAL', 'munmap: length 0');
  const end = checkUserRange('munmap', addr, length, 'EINVAL');
  let downgraded = false;
  return andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () => andThen(unmapLocked(mem, task, mm, addr, end, mem.era === 'v6'), (d) => void (downgraded = d)),
      () => (downgraded ? mm.mmapLock.upRead(task) : mm.mmapLock.upWrite(task)),
    ),
  );
}

/**
 * Unmap `[start, end)` with `mmap_lock` held for writing. Returns whether the lock was
 * downgraded to reading (the caller releases it accordingly).
 */
export function unmapLocked(mem: MemoryState, task: Task, mm: Mm, start: number, end: number, downgrade: boolean): boolean | Promise<boolean> {
  assertAlive(task, mm);
  if (mm.vmas.overlapping(start, end).length === 0) return false;
  return andThen(splitAt(task, mm, start, end), () => {
    const detached = mm.vmas.overlapping(start, end);
    for (const vma of detached) mm.vmas.remove(vma);
    if (downgrade) mm.mmapLock.downgrade(task);
    return andThen(zapVmas(mem, task, mm, detached, 'unmap'), () => andThen(unlinkAll(mem, task, detached), () => downgrade));
  });
}

/** Split the vmas straddling `start` and `end` so that `[start, end)` is covered by whole vmas. */
export function splitAt(task: Task, mm: Mm, start: number, end: number): void | Promise<void> {
  const first = mm.vmas.lookup(start);
  const a = first !== undefined && first.start < start ? splitVma(task, first, start) : undefined;
  return andThen(a, () => {
    const last = mm.vmas.lookup(end - 1);
    return andThen(last !== undefined && last.end > end ? splitVma(task, last, end) : undefined, () => undefined);
  });
}

/**
 * Zap whole vmas inside one notifier range (`unmap_vmas`): over their span, or over
 * `span` when the caller names one (exit: the whole address space).
 */
export function zapVmas(
  mem: MemoryState,
  task: Task,
  mm: Mm,
  vmas: readonly Vma[],
  event: 'unmap' | 'clear',
  span?: { readonly start: number; readonly end: number; readonly cause: 'exit' },
): void | Promise<void> {
  if (vmas.length === 0) return;
  const range = notifierRange(mm, span?.start ?? vmas[0]!.start, span?.end ?? vmas[vmas.length - 1]!.end, event);
  const cause = span?.cause ?? 'zap';
  const zapAll = (k: number): void | Promise<void> => {
    for (; k < vmas.length; k++) {
      const r = zapRange(mem, task, vmas[k]!, vmas[k]!.start, vmas[k]!.end, cause);
      if (r instanceof Promise) return r.then(() => zapAll(k + 1));
    }
  };
  return andThen(notifyRangeStart(task, range), () => ensure(() => zapAll(0), () => notifyRangeEnd(task, range)));
}

/**
 * Take unmapped vmas out of the reverse maps; a shared anonymous mapping's shmem file
 * goes with its last vma (its pages are freed, as shmem's are on the last `fput`).
 */
export function unlinkAll(mem: MemoryState, task: Task, vmas: readonly Vma[]): void | Promise<void> {
  const step = (k: number): void | Promise<void> => {
    for (; k < vmas.length; k++) {
      const vma = vmas[k]!;
      const r = andThen(unlinkVmaRmap(task, vma), () => {
        const file = vma.file;
        if (file !== null && file.anonShared && file.iMmap.size === 0) return releaseShmem(mem, task, file);
      });
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return step(0);
}

/**
 * After taking `mmap_lock`: the address space may have been torn down while the task
 * waited (its process exited under it). Every operation checks, so none can touch a
 * dead mm.
 */
export function assertAlive(task: Task, mm: Mm): void {
  if (mm.dead) throw new SmmuError('EINVAL', `${task.name}: the address space was torn down while the call waited (its process exited)`);
}

/** The task's mm, or EINVAL for a task without one. */
export function requireMm(task: Task): Mm {
  if (task.mm === null || task.mm.dead) throw new SmmuError('EINVAL', `${task.name} has no address space (a kernel thread, or its process exited)`);
  return task.mm;
}
