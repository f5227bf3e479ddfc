import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { hex, pageAligned, pageAlignUp } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { assertAlive, requireMm } from './mmap.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart } from './notify.js';
import { VM, type Vma } from './mm-types.js';
import { zapRange } from './zap.js';

/** The advice the model knows: `MADV_DONTNEED`. */
export type MadviseAdvice = 'dontneed';

/**
 * `madvise()` (`do_madvise`) with `MADV_DONTNEED`. Linux's checks, in Linux's order:
 * unknown advice, an unaligned `addr`, a length that is no `size_t` or whose
 * page-rounded end overflows — EINVAL; a zero length succeeds at once.
 *
 * Under `mmap_lock` for reading (`madvise_need_mmap_write()` is false for
 * DONTNEED), every mapped part of the range is zapped (`madvise_dontneed_free` ->
 * `zap_page_range_single`), one CLEAR notifier range per vma; vmas are not split.
 * Afterwards an anonymous page reads zero again (the zero page) and a private file
 * page re-reads the page cache, its COWed copy gone.
 *
 * Unmapped parts of the range are ENOMEM, reported after the mapped parts were
 * zapped, as Linux's `madvise_walk_vmas` does. A `VM_LOCKED` vma in the range is
 * EINVAL (`can_madv_lru_vma`), checked here before anything is zapped — Linux checks
 * vma by vma and would already have zapped the vmas before the locked one.
 */
export function madvise(mem: MemoryState, task: Task, addr: number, len: number, advice: MadviseAdvice): void | Promise<void> {
  const mm = requireMm(task);
  if (advice !== 'dontneed') throw new SmmuError('EINVAL', `madvise: advice ${JSON.stringify(advice)} is not supported (only 'dontneed')`);
  if (!Number.isSafeInteger(addr) || addr < 0) throw new SmmuError('EINVAL', `madvise: address ${String(addr)} is not a valid user address`);
  if (!pageAligned(addr)) throw new SmmuError('EINVAL', `madvise: address ${hex(addr)} is not page aligned`);
  if (!Number.isInteger(len) || len < 0) throw new SmmuError('EINVAL', `madvise: length ${String(len)} is not a valid length`);
  const end = addr + pageAlignUp(len);
  if (!Number.isSafeInteger(end) || end < addr) throw new SmmuError('EINVAL', `madvise: length ${len} overflows from ${hex(addr)}`);
  if (end === addr) return;
  return andThen(mm.mmapLock.downRead(task), () =>
    ensure(
      () => dontneedLocked(mem, task, mm, addr, end),
      () => mm.mmapLock.upRead(task),
    ),
  );
}

/** The walk with `mmap_lock` held for reading. */
function dontneedLocked(mem: MemoryState, task: Task, mm: Mm, start: number, end: number): void | Promise<void> {
  assertAlive(task, mm);
  const vmas = mm.vmas.overlapping(start, end);
  const locked = vmas.find((v) => (v.flags & VM.locked) !== 0);
  if (locked !== undefined) throw new SmmuError('EINVAL', `madvise: MADV_DONTNEED on the locked mapping ${locked.toString()}`);
  let hole = -1;
  let cursor = start;
  for (const v of vmas) {
    if (v.start > cursor && hole < 0) hole = cursor;
    cursor = v.end;
  }
  if (cursor < end && hole < 0) hole = cursor;
  const step = (k: number): void | Promise<void> => {
    for (; k < vmas.length; k++) {
      const r = dontneedSingleVma(mem, task, vmas[k]!, Math.max(start, vmas[k]!.start), Math.min(end, vmas[k]!.end));
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return andThen(step(0), () => {
    if (hole >= 0) throw new SmmuError('ENOMEM', `madvise: ${hex(hole)} in ${hex(start)}-${hex(end)} is not mapped (the mapped parts were zapped, as Linux does)`);
  });
}

/** `madvise_dontneed_single_vma` -> `zap_page_range_single`: one CLEAR range around the zap. */
function dontneedSingleVma(mem: MemoryState, task: Task, vma: Vma, start: number, end: number): void | Promise<void> {
  const range = notifierRange(vma.mm, start, end, 'clear');
  return andThen(notifyRangeStart(task, range), () =>
    ensure(
      () => zapRange(mem, task, vma, start, end, 'zap'),
      () => notifyRangeEnd(task, range),
    ),
  );
}
