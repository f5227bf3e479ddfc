import { isSmmuError, SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { faultLocked, unshareFault } from './fault.js';
import { PG } from './frames.js';
import { hex, PAGE_SIZE, pageAligned, pageNumber, pteIndex, TASK_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { recordFrame } from './pte-ops.js';
import { PTE } from './pte.js';
import { VM } from './mm-types.js';

/*
 * The driver face: what a secondary-MMU driver may call into the mm, as the kernel
 * exports it. mmap_lock is not wrapped: a driver takes `mm.mmapLock.downRead(task)`
 * (or `tryDownRead(task)` where it must not sleep) and `upRead(task)` itself, as it
 * calls `mmap_read_lock()` / `mmap_read_trylock()` / `mmap_read_unlock()`.
 * {@link getUserPages} and {@link hmmRangeFault} need it held (EINVAL otherwise, the
 * model's `mmap_assert_locked()`); {@link walkPageTable} needs nothing.
 */

const USER = PTE.present | PTE.user;
/** A fault that does not make the page usable after this many tries is a model bug. */
const MAX_FAULTS = 4;

/** FOLL_* flags of {@link getUserPages}. */
export interface GupFlags {
  /** `FOLL_WRITE`: fault for writing (COW, mkwrite) and dirty the page. */
  readonly write?: boolean;
  /** `FOLL_LONGTERM`: the pin may last indefinitely (RDMA, vfio); needs `pin`. */
  readonly longterm?: boolean;
  /** `FOLL_PIN` (`pin_user_pages`) rather than `FOLL_GET` (`get_user_pages`). */
  readonly pin?: boolean;
}

/**
 * `get_user_pages()` / `pin_user_pages()` over `npages` pages from `start` of `mm`;
 * the caller holds `mm.mmapLock` (read or write). Per page, under its PT lock: a
 * present user entry (writable when `write`) gets a reference — with `pin` also a
 * pin (`pincount`, which holds a reference too) — is marked accessed and, for a write
 * through a clean entry, dirty (`FOLL_TOUCH`); otherwise the page is faulted in
 * ({@link faultLocked}: zero fill, COW — of the zero page too —, mkwrite) and walked
 * again. Each reference is a `pin` history entry and observation event (with
 * `FOLL_GET` too: the event means "a driver holds this frame"). The zero page is
 * returned but never counted. Returns the pfns.
 *
 * Errors: EINVAL for mmap_lock not held, `npages` not a positive integer, `start`
 * unaligned, or `longterm` without `pin` (the kernel's `is_valid_gup_args`); EFAULT
 * for a range outside user space or a page the fault refuses (SIGSEGV / SIGBUS: no
 * vma, no permission, beyond EOF). On an error the references already taken are
 * dropped (the kernel returns the count done; the model is all or nothing).
 * Differences: longterm pins of file pages are allowed (≈6.5 refuses
 * `FOLL_LONGTERM | FOLL_WRITE` on dirty-tracked shared file mappings); no unsharing of
 * R/O longterm pins (`FAULT_FLAG_UNSHARE`) and no migration out of movable zones;
 * `FOLL_PIN` exists in every era although it came with 5.x.
 */
export function getUserPages(mem: MemoryState, task: Task, mm: Mm, start: number, npages: number, flags: GupFlags = {}): number[] | Promise<number[]> {
  const write = flags.write === true;
  const pin = flags.pin === true;
  const longterm = flags.longterm === true;
  requireMmapLock(task, mm, 'get_user_pages');
  if (!Number.isSafeInteger(npages) || npages <= 0) throw new SmmuError('EINVAL', `get_user_pages: npages ${String(npages)} must be a positive integer`);
  checkStart('get_user_pages', start);
  if (longterm && !pin) throw new SmmuError('EINVAL', 'get_user_pages: FOLL_LONGTERM needs FOLL_PIN (use pin_user_pages)');
  if (start + npages * PAGE_SIZE > TASK_SIZE) throw new SmmuError('EFAULT', `get_user_pages: ${npages} pages from ${hex(start)} leave user space (${hex(TASK_SIZE)})`);
  if (pin) mm.hasPinned = true; // mm_set_has_pinned_flag(), before any page is looked at
  const pfns: number[] = [];
  const grab = (pfn: number, bits: number): void => {
    const f = mem.frames;
    pfns.push(pfn);
    if (pfn === mem.allocator.zeroPfn) return;
    mem.allocator.get(pfn);
    if (pin) f.pincount[pfn]!++;
    f.flags[pfn] = f.flags[pfn]! | PG.referenced | (write && (bits & PTE.dirty) === 0 ? PG.dirty : 0);
    recordFrame(mem, pfn, 'pin', task);
    if (mem.observers.active) mem.observers.emit({ kind: 'pin', pfn, generation: f.generation[pfn]!, longterm, time: mem.kernel.clock.now });
  };
  const onePage = (address: number, tries: number): void | Promise<void> => {
    const vpn = pageNumber(address);
    const table = mm.pageTable.lookup(vpn);
    const retry = (): void | Promise<void> => {
      if (tries >= MAX_FAULTS) throw new SmmuError('EFAULT', `get_user_pages: ${hex(address)} still faults after ${tries} faults`);
      return andThen(gupFault(mem, task, mm, address, write, 'get_user_pages'), () => onePage(address, tries + 1));
    };
    if (table === undefined) return retry();
    const i = pteIndex(vpn);
    let done = false;
    let unshare = false;
    return andThen(table.ptl.lock(task), () => {
      const bits = table.bits[i]!;
      const pfn = table.word[i]!;
      // v6 pins only exclusive anonymous pages: a COW-shared one is unshared first.
      unshare = pin && !write && mem.era === 'v6' && (bits & USER) === USER && (bits & PTE.special) === 0 && mem.isAnon(pfn) && (mem.frames.flags[pfn]! & PG.anonExclusive) === 0;
      if (!unshare && (bits & USER) === USER && (!write || (bits & PTE.write) !== 0)) {
        grab(pfn, bits);
        done = true;
      }
      return andThen(table.ptl.unlock(task), () => {
        if (done) return;
        if (unshare && tries < MAX_FAULTS) return andThen(unshareFault(mem, task, mm, address), () => onePage(address, tries + 1));
        return retry();
      });
    });
  };
  const undo = (): void => {
    for (const pfn of pfns) release(mem, task, pfn, pin);
  };
  return onFailure(
    () => andThen(eachPage(start, npages, (address) => onePage(address, 0)), () => pfns),
    undo,
  );
}

/** `put_page()` of a reference {@link getUserPages} (`FOLL_GET`) gave: an `unpin` history entry and event. EINVAL for a frame not in use. */
export function putPage(mem: MemoryState, task: Task, pfn: number): void {
  checkFrame(mem, 'put_page', pfn);
  release(mem, task, pfn, false);
}

/**
 * `unpin_user_page()`, or with `dirty` `unpin_user_pages_dirty_lock()`: a page not
 * yet dirty is marked dirty under its page lock first (so this may sleep), then the
 * pin and its reference are dropped; the last reference frees the frame. The zero
 * page is never pinned, so unpinning it does nothing. EINVAL for a frame not in use
 * or not pinned. The unpin event says `longterm: false`: a frame does not remember
 * how it was pinned.
 */
export function unpinUserPage(mem: MemoryState, task: Task, pfn: number, options: { readonly dirty?: boolean } = {}): void | Promise<void> {
  checkFrame(mem, 'unpin_user_page', pfn);
  if (pfn === mem.allocator.zeroPfn) return;
  const f = mem.frames;
  const notPinned = (): SmmuError => new SmmuError('EINVAL', `unpin_user_page: pfn ${pfn} is not pinned (pincount ${f.pincount[pfn]})`);
  if (f.pincount[pfn]! <= 0) throw notPinned();
  const unpin = (): void => {
    if (f.pincount[pfn]! <= 0) throw notPinned(); // another task unpinned it while we slept
    release(mem, task, pfn, true);
  };
  if (options.dirty !== true || (f.flags[pfn]! & PG.dirty) !== 0) return unpin();
  return andThen(
    andThen(mem.pageLock.lock(task, pfn), () => {
      setPageDirty(mem, pfn);
      return mem.pageLock.unlock(task, pfn);
    }),
    unpin,
  );
}

/** One page of {@link hmmRangeFault}'s answer: the frame and whether the CPU mapping is writable. */
export interface HmmPfn {
  readonly pfn: number;
  readonly write: boolean;
}

/**
 * `hmm_range_fault()` with `HMM_PFN_REQ_FAULT` (and `HMM_PFN_REQ_WRITE` when
 * `write`) over `[start, end)`: the caller holds `mm.mmapLock`; every page not mapped
 * as requested is faulted in (as {@link getUserPages} does) and its pfn and PTE write
 * permission after the fault are reported. No reference is taken: the answer is good
 * only until the next invalidation, which the driver's notifier sequence detects.
 * Errors as the kernel's: EFAULT for no vma, a vma without read permission, or a
 * fault answered SIGSEGV/SIGBUS; EPERM for a write to a vma without write permission;
 * EINVAL for unaligned or empty ranges or mmap_lock not held.
 */
export function hmmRangeFault(mem: MemoryState, task: Task, mm: Mm, start: number, end: number, options: { readonly write?: boolean } = {}): HmmPfn[] | Promise<HmmPfn[]> {
  const write = options.write === true;
  requireMmapLock(task, mm, 'hmm_range_fault');
  checkStart('hmm_range_fault', start);
  if (!Number.isSafeInteger(end) || !pageAligned(end) || end <= start || end > TASK_SIZE) {
    throw new SmmuError('EINVAL', `hmm_range_fault: end ${String(end)} must be page aligned, above start ${hex(start)} and at most ${hex(TASK_SIZE)}`);
  }
  const out: HmmPfn[] = [];
  const onePage = (address: number, tries: number): void | Promise<void> => {
    const found = walkPageTable(mm, address);
    if (found !== null && (!write || found.write)) {
      out.push({ pfn: found.pfn, write: found.write });
      return;
    }
    const vma = mm.vmas.lookup(address);
    if (vma === undefined || (vma.flags & VM.read) === 0) {
      throw SmmuError.answer('EFAULT', `hmm_range_fault: ${hex(address)}: ${vma === undefined ? 'no mapping there' : `the mapping ${vma.toString()} is not readable`}`);
    }
    if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `hmm_range_fault: write fault at ${hex(address)}: the mapping ${vma.toString()} is not writable`);
    if (tries >= MAX_FAULTS) throw new SmmuError('EFAULT', `hmm_range_fault: ${hex(address)} still faults after ${tries} faults`);
    return andThen(gupFault(mem, task, mm, address, write, 'hmm_range_fault'), () => onePage(address, tries + 1));
  };
  return andThen(eachPage(start, (end - start) / PAGE_SIZE, (address) => onePage(address, 0)), () => out);
}

/** What {@link walkPageTable} finds. */
export interface PteLookup {
  readonly pfn: number;
  readonly write: boolean;
  readonly young: boolean;
  readonly dirty: boolean;
}

/**
 * GRU's `atomic_pte_lookup()` / `follow_pte()`: read the CPU page table entry for the
 * page holding `address` — no lock, no reference, no fault, never sleeps, changes
 * nothing. Null when nothing usable is mapped there (none, swap or migration entry,
 * or a PROT_NONE entry). EINVAL for an address outside user space.
 */
export function walkPageTable(mm: Mm, address: number): PteLookup | null {
  if (!Number.isSafeInteger(address) || address < 0 || address >= TASK_SIZE) {
    throw new SmmuError('EINVAL', `walkPageTable: ${typeof address === 'number' ? hex(address) : String(address)} is not a user address`);
  }
  const vpn = pageNumber(address);
  const table = mm.pageTable.lookup(vpn);
  if (table === undefined) return null;
  const i = pteIndex(vpn);
  const bits = table.bits[i]!;
  if ((bits & USER) !== USER) return null;
  return { pfn: table.word[i]!, write: (bits & PTE.write) !== 0, young: (bits & PTE.young) !== 0, dirty: (bits & PTE.dirty) !== 0 };
}

/** `set_page_dirty()`: PG_dirty on the frame (a file page will be written back; harmless on an anonymous one). EINVAL for a frame not in use. */
export function setPageDirty(mem: MemoryState, pfn: number): void {
  checkFrame(mem, 'set_page_dirty', pfn);
  if (pfn === mem.allocator.zeroPfn) return;
  mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.dirty;
}

/**
 * A driver's `alloc_page(GFP_KERNEL)` — may sleep and reclaim, so might-sleep checks
 * the context and lockdep records the `fs_reclaim` dependency — or
 * `alloc_page(GFP_ATOMIC)` — never sleeps, fails with ENOMEM instead. The content
 * word is whatever the frame held (no `__GFP_ZERO`). EINVAL for another gfp.
 */
export function allocDriverPage(mem: MemoryState, task: Task, gfp: 'kernel' | 'atomic'): number | Promise<number> {
  if (gfp !== 'kernel' && gfp !== 'atomic') throw new SmmuError('EINVAL', `alloc_page: gfp ${String(gfp)} must be 'kernel' or 'atomic'`);
  return mem.allocator.alloc(task, gfp, false);
}

/** `__free_page()`: drop the driver's reference; EINVAL for a frame not in use, the zero page, or a page still mapped. */
export function freeDriverPage(mem: MemoryState, task: Task, pfn: number): void {
  checkFrame(mem, '__free_page', pfn);
  if (pfn === mem.allocator.zeroPfn) throw new SmmuError('EINVAL', '__free_page: the zero page is never freed');
  if (mem.frames.mapcount[pfn]! > 0) throw new SmmuError('EINVAL', `__free_page: pfn ${pfn} is still mapped ${mem.frames.mapcount[pfn]} time(s)`);
  mem.allocator.put(task, pfn);
}

/** Drop one reference a driver took (and its pin): history and event first, while the frame is alive. */
function release(mem: MemoryState, task: Task, pfn: number, pin: boolean): void {
  if (pfn === mem.allocator.zeroPfn) return;
  const f = mem.frames;
  if (pin) f.pincount[pfn]!--;
  recordFrame(mem, pfn, 'unpin', task);
  if (mem.observers.active) mem.observers.emit({ kind: 'unpin', pfn, generation: f.generation[pfn]!, longterm: false, time: mem.kernel.clock.now });
  mem.allocator.put(task, pfn);
}

/** The fault of gup and hmm: SIGSEGV and SIGBUS, a CPU's answers, are EFAULT for a driver. */
function gupFault(mem: MemoryState, task: Task, mm: Mm, address: number, write: boolean, what: string): void | Promise<void> {
  const efault = (error: unknown): never => {
    if (isSmmuError(error, 'SIGSEGV') || isSmmuError(error, 'SIGBUS')) {
      throw SmmuError.answer('EFAULT', `${what}: ${write ? 'write' : 'read'} fault at ${hex(address)} failed: ${error.message}`);
    }
    throw error;
  };
  let r: void | Promise<void>;
  try {
    r = faultLocked(mem, task, mm, address, write);
  } catch (error) {
    return efault(error);
  }
  return r instanceof Promise ? r.catch(efault) : r;
}

/** `body()`, running `undo` before passing on an error (sync or async). */
function onFailure<T>(body: () => T | Promise<T>, undo: () => void): T | Promise<T> {
  let r: T | Promise<T>;
  try {
    r = body();
  } catch (error) {
    undo();
    throw error;
  }
  if (!(r instanceof Promise)) return r;
  return r.catch((error: unknown) => {
    undo();
    throw error;
  });
}

/** `step(address)` for each of `n` pages from `start`, in order. */
function eachPage(start: number, n: number, step: (address: number) => void | Promise<void>): void | Promise<void> {
  const from = (k: number): void | Promise<void> => {
    for (; k < n; k++) {
      const r = step(start + k * PAGE_SIZE);
      if (r instanceof Promise) return r.then(() => from(k + 1));
    }
  };
  return from(0);
}

function requireMmapLock(task: Task, mm: Mm, what: string): void {
  if (!mm.kernel.lockdep.holds(task, mm.mmapLock)) throw new SmmuError('EINVAL', `${what}: ${task.name} must hold mmap_lock of mm ${mm.id} (mmap_assert_locked)`);
}

function checkStart(what: string, start: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !pageAligned(start)) {
    throw new SmmuError('EINVAL', `${what}: start ${typeof start === 'number' ? hex(start) : String(start)} must be a page-aligned user address`);
  }
}

function checkFrame(mem: MemoryState, what: string, pfn: number): void {
  const f = mem.frames;
  if (!f.valid(pfn) || (f.flags[pfn]! & PG.free) !== 0 || f.refcount[pfn]! <= 0) {
    throw new SmmuError('EINVAL', `${what}: pfn ${String(pfn)} is not a frame in use`);
  }
}
