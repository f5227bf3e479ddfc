import { isSmmuError, SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { hex, pageAligned, pageAlignUp, TASK_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { VM, type Mm, type Vma } from './mm-types.js';
import { assertAlive, requireMm, unmapLocked, unmappedArea } from './mmap.js';
import { populate } from './mlock.js';
import { movePageTables } from './move-page-tables.js';
import { copyVma, expandVma, mergeAround } from './vma-ops.js';

/**
 * `MREMAP_*` flags (Linux values). `MREMAP_DONTUNMAP` (5.7) is not modelled: the model
 * refuses it with EINVAL, as the 2008 kernels refused any unknown flag.
 */
export const MREMAP = { maymove: 1, fixed: 2 } as const;

const KNOWN = MREMAP.maymove | MREMAP.fixed;

/**
 * `mremap()`: resize the mapping at `oldAddr` and maybe move it. Returns its address.
 *
 * Refused with nothing changed: unknown `flags` bits, `MREMAP_FIXED` without
 * `MREMAP_MAYMOVE`, an unaligned `oldAddr`, a zero new length (EINVAL); with
 * `MREMAP_FIXED`, an unaligned or out-of-range `newAddr`, or new and old ranges that
 * overlap (EINVAL); no vma at `oldAddr`, or an old range that runs past its vma
 * (EFAULT); a mapping that must grow where it cannot, without `MREMAP_MAYMOVE`
 * (ENOMEM). Lengths are rounded up to whole pages.
 *
 * Under `mmap_lock` for writing, as Linux decides:
 * - `MREMAP_FIXED` (`mremap_to`): unmap `[newAddr, newAddr + newLen)`, drop the old
 *   range's tail past `newLen`, then move the mapping there;
 * - shrinking: unmap the tail;
 * - growing a range that ends its vma, when the space after is free: extend the vma
 *   in place (`vma_expand`);
 * - otherwise, with `MREMAP_MAYMOVE`: move to a free area (`get_unmapped_area`).
 * Moving (`move_vma`) makes the new vma (`copy_vma`), moves the page-table entries
 * (`movePageTables`, with the era's notifier calls), then unmaps the old range,
 * whose `munmap` bracket finds nothing left to zap. A growing `VM_LOCKED` mapping has
 * its new part populated afterwards (`mm_populate`, errors ignored).
 *
 * Deliberate differences: `old_len == 0` (duplicating a shared mapping) is EINVAL;
 * Linux's `mremap_to` unmaps the target before it finds the old range too long for
 * its vma (EFAULT) — the model refuses first and changes nothing.
 */
export function mremap(mem: MemoryState, task: Task, oldAddr: number, oldLength: number, newLength: number, flags = 0, newAddr?: number): number | Promise<number> {
  const mm = requireMm(task);
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~KNOWN) !== 0) throw new SmmuError('EINVAL', `mremap: flags ${String(flags)} has unknown bits`);
  const fixed = (flags & MREMAP.fixed) !== 0;
  if (fixed && (flags & MREMAP.maymove) === 0) throw new SmmuError('EINVAL', 'mremap: MREMAP_FIXED without MREMAP_MAYMOVE');
  if (!Number.isSafeInteger(oldAddr) || oldAddr < 0 || !pageAligned(oldAddr)) throw new SmmuError('EINVAL', `mremap: old address ${typeof oldAddr === 'number' ? hex(oldAddr) : String(oldAddr)} is not a page-aligned user address`);
  const oldLen = checkLength('old length', oldLength);
  const newLen = checkLength('new length', newLength);
  if (newLen === 0) throw new SmmuError('EINVAL', 'mremap: new length 0');
  if (oldLen === 0) throw new SmmuError('EINVAL', 'mremap: old length 0 (duplicating a shared mapping is not modelled)');
  if (fixed) checkTarget(oldAddr, oldLen, newAddr, newLen);
  else if (newAddr !== undefined) throw new SmmuError('EINVAL', `mremap: new address ${String(newAddr)} given without MREMAP_FIXED`);
  let populateFrom = -1;
  const moved = andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () =>
        andThen(remapLocked(mem, task, mm, oldAddr, oldLen, newLen, flags, newAddr), (at) => {
          const vma = mm.vmas.lookup(at);
          if (newLen > oldLen && vma !== undefined && (vma.flags & VM.locked) !== 0) populateFrom = at + oldLen;
          return at;
        }),
      () => mm.mmapLock.upWrite(task),
    ),
  );
  return andThen(moved, (at) => (populateFrom < 0 ? at : andThen(populateLocked(mem, task, mm, populateFrom, at + newLen), () => at)));
}

function checkLength(what: string, length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new SmmuError('EINVAL', `mremap: ${what} ${String(length)} is not a valid length`);
  const len = pageAlignUp(length);
  if (len > TASK_SIZE) throw new SmmuError('EINVAL', `mremap: ${what} ${length} is larger than the address space`);
  return len;
}

/** `mremap_to()`'s own checks on the target. */
function checkTarget(oldAddr: number, oldLen: number, newAddr: number | undefined, newLen: number): void {
  if (newAddr === undefined || !Number.isSafeInteger(newAddr) || newAddr < 0 || !pageAligned(newAddr)) {
    throw new SmmuError('EINVAL', `mremap: new address ${newAddr === undefined ? 'missing' : String(newAddr)} is not a page-aligned user address`);
  }
  if (newAddr > TASK_SIZE - newLen) throw new SmmuError('EINVAL', `mremap: ${hex(newAddr)}-${hex(newAddr + newLen)} is outside the user address space`);
  if (oldAddr + oldLen > newAddr && newAddr + newLen > oldAddr) {
    throw new SmmuError('EINVAL', `mremap: new range ${hex(newAddr)}-${hex(newAddr + newLen)} overlaps old range ${hex(oldAddr)}-${hex(oldAddr + oldLen)}`);
  }
}

function remapLocked(mem: MemoryState, task: Task, mm: Mm, oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number | undefined): number | Promise<number> {
  assertAlive(task, mm);
  const vma = mm.vmas.lookup(oldAddr);
  if (vma === undefined) throw new SmmuError('EFAULT', `mremap: ${hex(oldAddr)} is not mapped`);
  const kept = Math.min(oldLen, newLen); // what of the old range survives (the rest is unmapped)
  const grows = newLen > oldLen || (flags & MREMAP.fixed) !== 0;
  if (grows && oldAddr + kept > vma.end) {
    throw new SmmuError('EFAULT', `mremap: old range ${hex(oldAddr)}-${hex(oldAddr + kept)} runs past its mapping's end ${hex(vma.end)}`);
  }
  if ((flags & MREMAP.fixed) !== 0) {
    return andThen(unmapLocked(mem, task, mm, newAddr!, newAddr! + newLen, false), () =>
      andThen(oldLen > newLen ? unmapLocked(mem, task, mm, oldAddr + newLen, oldAddr + oldLen, false) : false, () => moveVma(mem, task, mm.vmas.lookup(oldAddr)!, oldAddr, kept, newLen, newAddr!)),
    );
  }
  if (oldLen >= newLen) return andThen(oldLen > newLen ? unmapLocked(mem, task, mm, oldAddr + newLen, oldAddr + oldLen, false) : false, () => oldAddr);
  const growBy = newLen - oldLen;
  if (oldAddr + oldLen === vma.end && expandable(mm, vma, growBy)) {
    return andThen(expandVma(task, vma, vma.end + growBy), () => andThen(mergeAround(task, vma), () => oldAddr));
  }
  if ((flags & MREMAP.maymove) === 0) throw new SmmuError('ENOMEM', `mremap: ${hex(oldAddr)}-${hex(oldAddr + oldLen)} cannot grow to ${newLen} bytes in place without MREMAP_MAYMOVE`);
  return moveVma(mem, task, vma, oldAddr, oldLen, newLen, unmappedArea(mm, undefined, newLen));
}

/** `vma_expandable()`: nothing mapped in the `delta` bytes after `vma`, and they are user addresses. */
function expandable(mm: Mm, vma: Vma, delta: number): boolean {
  return vma.end + delta <= TASK_SIZE && mm.vmas.overlapping(vma.end, vma.end + delta).length === 0;
}

/** `move_vma()`: a new vma at `newAddr`, the entries of the old range moved into it, the old range unmapped. */
function moveVma(mem: MemoryState, task: Task, vma: Vma, oldAddr: number, oldLen: number, newLen: number, newAddr: number): number | Promise<number> {
  const mm = vma.mm;
  const pgoff = vma.pageIndex(oldAddr);
  return andThen(copyVma(task, vma, newAddr, newLen, pgoff), (copy) =>
    andThen(movePageTables(mem, task, vma, oldAddr, newAddr, oldLen), () =>
      andThen(unmapLocked(mem, task, mm, oldAddr, oldAddr + oldLen, false), () => andThen(mergeAround(task, copy), () => newAddr)),
    ),
  );
}

/** `mm_populate()` of a grown locked mapping, under `mmap_lock` for reading; its errors are ignored, as Linux ignores them. */
function populateLocked(mem: MemoryState, task: Task, mm: Mm, start: number, end: number): void | Promise<void> {
  const ignore = (error: unknown): void => {
    if (!isSmmuError(error)) throw error;
  };
  return andThen(mm.mmapLock.downRead(task), () =>
    ensure(
      () => {
        try {
          const r = populate(mem, task, mm, start, end);
          if (r instanceof Promise) return r.then(undefined, ignore);
        } catch (error) {
          ignore(error);
        }
      },
      () => mm.mmapLock.upRead(task),
    ),
  );
}
