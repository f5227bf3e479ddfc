import { isSmmuError, SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { isAnonVma, VM, type Vma } from './mm-types.js';
import { faultLocked } from './fault.js';
import { PG } from './frames.js';
import { hex, PAGE_SIZE, pageAlignUp, pageNumber, pteIndex, PTRS_PER_TABLE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { assertAlive, requireMm } from './mmap.js';
import { fixupVmas } from './mprotect.js';
import type { PteTable } from './page-table.js';
import { PTE } from './pte.js';
import { rmapHits } from './rmap.js';

/**
 * `mlock()` (`do_mlock`): lock `[addr, addr + len)` in memory. As in Linux, `addr`
 * need not be aligned: the range is widened to whole pages (`start &= PAGE_MASK`,
 * `len = PAGE_ALIGN(len + offset_in_page(start))`); a length that is no `size_t` or
 * whose end overflows is EINVAL; an empty range succeeds.
 *
 * Under `mmap_lock` for writing (`apply_vma_lock_flags` -> `mlock_fixup`): set
 * `VM_LOCKED` vma by vma, splitting at the edges and merging after, and mark the
 * pages already mapped `PG_mlocked` (`mlock_vma_pages_range`). A range starting in a
 * hole is ENOMEM with nothing changed; a later hole is ENOMEM with the vmas before
 * it already locked but not populated (Linux populates only after a full success).
 *
 * Then, under `mmap_lock` for reading, `__mm_populate`: fault every page in, a write
 * fault for a writable private vma (so COW is broken and the page is really there),
 * a read fault otherwise, and mark each mapped frame `PG_mlocked` (never the zero
 * page). Populate errors are turned into mlock's (`__mlock_posix_error_return`):
 * a fault that fails (SIGSEGV, SIGBUS, EFAULT) is ENOMEM, out of memory is EAGAIN;
 * the vmas stay locked. A vma with no read permission that is not writable is not
 * populated (the kernel's `FOLL_FORCE` is not modelled).
 */
export function mlock(mem: MemoryState, task: Task, addr: number, len: number): void | Promise<void> {
  const mm = requireMm(task);
  const [start, end] = lockRange('mlock', addr, len);
  if (end === start) return;
  return andThen(
    andThen(mm.mmapLock.downWrite(task), () =>
      ensure(
        () => fixupVmas(task, mm, start, end, 'mlock', (flags) => flags | VM.locked, (vma, s, e) => markMlocked(mem, task, vma, s, e)),
        () => mm.mmapLock.upWrite(task),
      ),
    ),
    () =>
      andThen(mm.mmapLock.downRead(task), () =>
        ensure(
          () => posixError(() => populate(mem, task, mm, start, end)),
          () => mm.mmapLock.upRead(task),
        ),
      ),
  );
}

/**
 * `munlock()` (`do_munlock`): clear `VM_LOCKED` over the range (same range rules
 * and hole answers as {@link mlock}), splitting and merging, and clear `PG_mlocked`
 * on each mapped frame that no other `VM_LOCKED` vma still maps (found by an rmap
 * walk under the rmap lock, as 2.6.28's `try_to_munlock` did).
 */
export function munlock(mem: MemoryState, task: Task, addr: number, len: number): void | Promise<void> {
  const mm = requireMm(task);
  const [start, end] = lockRange('munlock', addr, len);
  if (end === start) return;
  return andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () => fixupVmas(task, mm, start, end, 'munlock', (flags) => flags & ~VM.locked, (vma, s, e) => munlockRange(mem, task, vma, s, e)),
      () => mm.mmapLock.upWrite(task),
    ),
  );
}

/** The page range `do_mlock` works on: `[start, end)`, widened to whole pages. */
function lockRange(what: string, addr: number, len: number): [number, number] {
  if (!Number.isSafeInteger(addr) || addr < 0) throw new SmmuError('EINVAL', `${what}: address ${String(addr)} is not a valid user address`);
  if (!Number.isInteger(len) || len < 0) throw new SmmuError('EINVAL', `${what}: length ${String(len)} is not a valid length`);
  const start = addr - (addr % PAGE_SIZE);
  const end = start + pageAlignUp(len + (addr - start));
  if (!Number.isSafeInteger(end) || end < start) throw new SmmuError('EINVAL', `${what}: length ${len} overflows from ${hex(addr)}`);
  return [start, end];
}

/** `__mm_populate()` over the `VM_LOCKED` vmas in `[start, end)`. */
/** `__mm_populate()` over `[start, end)` with `mmap_lock` held for reading: fault in the pages of its `VM_LOCKED` vmas. */
export function populate(mem: MemoryState, task: Task, mm: Mm, start: number, end: number): void | Promise<void> {
  assertAlive(task, mm);
  const vmas = mm.vmas.overlapping(start, end).filter((v) => (v.flags & VM.locked) !== 0);
  const step = (k: number): void | Promise<void> => {
    for (; k < vmas.length; k++) {
      const v = vmas[k]!;
      const r = populateVma(mem, task, v, Math.max(start, v.start), Math.min(end, v.end));
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return step(0);
}

/** `populate_vma_page_range()`: `follow_page` first, `faultin_page` where the entry does not serve the access. */
function populateVma(mem: MemoryState, task: Task, vma: Vma, start: number, end: number): void | Promise<void> {
  const write = (vma.flags & (VM.write | VM.shared)) === VM.write;
  if (!write && (vma.flags & VM.read) === 0) return;
  const need = PTE.present | PTE.user | (write ? PTE.write : 0);
  const step = (address: number): void | Promise<void> => {
    for (; address < end; address += PAGE_SIZE) {
      const vpn = pageNumber(address);
      const table = vma.mm.pageTable.lookup(vpn);
      if (table !== undefined && (table.bits[pteIndex(vpn)]! & need) === need) continue;
      const next = address + PAGE_SIZE;
      const r = faultLocked(mem, task, vma.mm, address, write);
      if (r instanceof Promise) return r.then(() => step(next));
    }
  };
  return andThen(step(start), () => markMlocked(mem, task, vma, start, end));
}

/** The PTE tables covering `[start, end)` of `vma`, with the entry span of each. */
function eachTable(vma: Vma, start: number, end: number, body: (table: PteTable, from: number, to: number) => void | Promise<void>): void | Promise<void> {
  const tables: PteTable[] = [];
  vma.mm.pageTable.forEachTable(pageNumber(start), pageNumber(end), (t) => void tables.push(t));
  const step = (k: number): void | Promise<void> => {
    for (; k < tables.length; k++) {
      const t = tables[k]!;
      const r = body(t, Math.max(pageNumber(start), t.base) - t.base, Math.min(pageNumber(end), t.base + PTRS_PER_TABLE) - t.base);
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return step(0);
}

/** `mlock_pte_range()`: set `PG_mlocked` on every frame mapped in the range (not the zero page), under each PT lock. */
function markMlocked(mem: MemoryState, task: Task, vma: Vma, start: number, end: number): void | Promise<void> {
  const f = mem.frames;
  return eachTable(vma, start, end, (table, from, to) =>
    andThen(table.ptl.lock(task), () => {
      for (let i = from; i < to; i++) {
        const bits = table.bits[i]!;
        if ((bits & PTE.present) !== 0 && (bits & PTE.special) === 0) f.flags[table.word[i]!] = f.flags[table.word[i]!]! | PG.mlocked;
      }
      return table.ptl.unlock(task);
    }),
  );
}

/** `munlock_vma_pages_range()`: collect the mlocked frames under the PT locks, then munlock each. */
function munlockRange(mem: MemoryState, task: Task, vma: Vma, start: number, end: number): void | Promise<void> {
  const pfns: number[] = [];
  const f = mem.frames;
  const collected = eachTable(vma, start, end, (table, from, to) =>
    andThen(table.ptl.lock(task), () => {
      for (let i = from; i < to; i++) {
        const bits = table.bits[i]!;
        if ((bits & PTE.present) !== 0 && (bits & PTE.special) === 0 && (f.flags[table.word[i]!]! & PG.mlocked) !== 0) pfns.push(table.word[i]!);
      }
      return table.ptl.unlock(task);
    }),
  );
  const step = (k: number): void | Promise<void> => {
    for (; k < pfns.length; k++) {
      const r = munlockPage(mem, task, pfns[k]!);
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return andThen(collected, () => step(0));
}

/** Clear `PG_mlocked` unless another `VM_LOCKED` vma maps the page (rmap walk under the rmap lock). */
function munlockPage(mem: MemoryState, task: Task, pfn: number): void | Promise<void> {
  const f = mem.frames;
  const owner = mem.ownerOf(pfn);
  if (owner === undefined) {
    f.flags[pfn] = f.flags[pfn]! & ~PG.mlocked;
    return;
  }
  const lock = isAnonVma(owner) ? owner.lock : owner.iMmapLock;
  return andThen(lock.lockRead(task), () => {
    if (!rmapHits(mem, pfn).some((hit) => (hit.vma.flags & VM.locked) !== 0)) f.flags[pfn] = f.flags[pfn]! & ~PG.mlocked;
    return lock.unlockRead(task);
  });
}

/** Run the populate step, turning its errors into mlock's (`__mlock_posix_error_return`). */
function posixError(body: () => void | Promise<void>): void | Promise<void> {
  let r: void | Promise<void>;
  try {
    r = body();
  } catch (error) {
    throw mlockError(error);
  }
  return r instanceof Promise ? r.catch((error: unknown) => Promise.reject(mlockError(error))) : r;
}

function mlockError(error: unknown): Error {
  if (isSmmuError(error, 'ENOMEM')) return new SmmuError('EAGAIN', `mlock: could not populate the range: ${error.message}`);
  if (isSmmuError(error) && (error.code === 'SIGSEGV' || error.code === 'SIGBUS' || error.code === 'EFAULT')) {
    return new SmmuError('ENOMEM', `mlock: could not populate the range: ${error.message}`);
  }
  return error as Error;
}
