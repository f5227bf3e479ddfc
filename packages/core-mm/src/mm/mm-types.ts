import type { Kernel } from '../kernel/kernel.js';
import { brandClass, hasBrand } from '../kernel/util/brand.js';
import { RwSemaphore } from '../kernel/locks/rwsem.js';
import { SpinLock } from '../kernel/locks/spinlock.js';
import { WaitQueue } from '../kernel/locks/wait-queue.js';
import type { Task } from '../kernel/sched/task.js';
import type { Era } from './era.js';
import { IntervalTree, type IntervalNode } from './interval-tree.js';
import { PAGE_SIZE } from './layout.js';
import { PageTable } from './page-table.js';
import { RmapLock } from './rmap-lock.js';
import { VmaTree } from './vma-tree.js';

// The structures that point at each other, in one file as the kernel keeps them in
// include/linux/mm_types.h: an mm holds its vmas, a vma names its mm, its anon_vmas and
// its file, which hold it back in their reverse maps, and the mm's secondary-MMU port
// is called with the mm and its ranges. Behaviour lives elsewhere; these are the
// records, their constructors and small accessors.

/** `vm_flags` bits (`VM_READ`, `VM_WRITE`, …). */
export const VM = {
  read: 0x1,
  write: 0x2,
  exec: 0x4,
  shared: 0x8,
  mayRead: 0x10,
  mayWrite: 0x20,
  mayExec: 0x40,
  mayShare: 0x80,
  locked: 0x2000,
} as const;

/** The protection part of `vm_flags`. */
export const VM_PROT_MASK = VM.read | VM.write | VM.exec;

/** A link of a vma into one anon_vma's tree (`struct anon_vma_chain`). */
export interface AnonVmaChain {
  readonly anonVma: AnonVma;
  node: IntervalNode<Vma> | null;
}

/**
 * `struct vm_area_struct`: `[start, end)` of one mm with the same flags and backing.
 * Anonymous memory hangs off `anonVma` (created at the first anonymous fault) and the
 * chains link the vma into every anon_vma of its fork ancestry; a file mapping sits
 * in its inode's `i_mmap` tree over `[pgoff, lastPgoff]`.
 */
export class Vma {
  start: number;
  end: number;
  flags: number;
  /** `vm_pgoff`: file page of `start`, or for anonymous memory `start / PAGE_SIZE` at creation. */
  pgoff: number;
  readonly mm: Mm;
  readonly file: Inode | null;
  anonVma: AnonVma | null = null;
  /** `anon_vma_chain`: one link per anon_vma this vma's pages may belong to. */
  readonly chains: AnonVmaChain[] = [];
  /** Node in `file.iMmap`, while linked. */
  iMmapNode: IntervalNode<Vma> | null = null;

  constructor(mm: Mm, start: number, end: number, flags: number, file: Inode | null, pgoff: number) {
    this.mm = mm;
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.file = file;
    this.pgoff = pgoff;
  }

  /** Pages in the vma. */
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }

  /** `vma_last_pgoff()`. */
  get lastPgoff(): number {
    return this.pgoff + this.pages - 1;
  }

  /** `linear_page_index()`: the page index of `address`. */
  pageIndex(address: number): number {
    return this.pgoff + (address - this.start) / PAGE_SIZE;
  }

  /** `vma_address()`: where page index `index` is mapped, or -1 if outside the vma. */
  addressOf(index: number): number {
    const address = this.start + (index - this.pgoff) * PAGE_SIZE;
    return address >= this.start && address < this.end ? address : -1;
  }

  /** Private (COW) mapping: neither `VM_SHARED` nor `VM_MAYSHARE`. */
  get isPrivate(): boolean {
    return (this.flags & VM.shared) === 0;
  }

  /** `vma_is_anonymous()`. */
  get isAnonymous(): boolean {
    return this.file === null;
  }

  toString(): string {
    const p = (bit: number, c: string): string => ((this.flags & bit) !== 0 ? c : '-');
    return `${this.start.toString(16)}-${this.end.toString(16)} ${p(VM.read, 'r')}${p(VM.write, 'w')}${p(VM.exec, 'x')}${this.isPrivate ? 'p' : 's'}${this.file ? ` ${this.file.name}@${this.pgoff}` : ''}`;
  }
}

/**
 * `struct anon_vma`: the reverse map of anonymous pages. A page's `mapping` names the
 * anon_vma of the vma it was faulted in; every vma that may map it — the original and
 * its fork descendants — is linked into that anon_vma's tree (over its pgoff range)
 * through an `anon_vma_chain`. The lock lives in the root of the fork tree, as in the
 * kernel (`anon_vma->root->rwsem`; a spinlock, `anon_vma->lock`, in 2008).
 */
export class AnonVma {
  readonly id: number;
  readonly root: AnonVma;
  readonly parent: AnonVma | null;
  /** The vmas linked in, keyed by their page-offset range (`anon_vma->rb_root`). */
  readonly tree = new IntervalTree<Vma>();
  private readonly ownLock: RmapLock | null;

  /** @internal Use `mem.newAnonVma()`: the memory registers it under `id`, the value a frame's `mapping` holds. */
  constructor(kernel: Kernel, era: Era, id: number, parent: AnonVma | null) {
    this.id = id;
    this.parent = parent;
    this.root = parent === null ? this : parent.root;
    this.ownLock = parent === null ? new RmapLock(kernel, era, { spin: 'anon_vma->lock', rwsem: 'anon_vma->rwsem' }) : null;
  }

  /** The root's lock, shared by the whole fork tree. */
  get lock(): RmapLock {
    return this.root.ownLock!;
  }
}

const ANON_VMA = brandClass(AnonVma, '@secondary-mmu/core-mm:AnonVma');

/**
 * True when `value` is an anon_vma made by any copy of core-mm (ESM or CommonJS): a
 * brand check, where `instanceof` would answer for one copy's class only. Kernel
 * counterpart: `folio_test_anon()`'s `PAGE_MAPPING_ANON` bit in `page->mapping`.
 */
export function isAnonVma(value: unknown): value is AnonVma {
  return hasBrand(value, ANON_VMA);
}

/**
 * A file: `struct inode` with its `address_space`. The page cache maps page index to
 * frame; the backing store holds one content word per page index (a hole reads as
 * zero); `iMmap` is the file's reverse map, the vmas mapping it keyed by page-offset
 * range, guarded by `i_mmap_lock` (a spinlock in 2008) / `i_mmap_rwsem` (today).
 */
export class Inode {
  readonly id: number;
  readonly name: string;
  /** `i_size` in bytes. */
  size: number;
  /** The page cache (`mapping->i_pages`): page index -> pfn. */
  readonly pageCache = new Map<number, number>();
  /** What writeback has stored: page index -> content word. */
  readonly backing = new Map<number, number>();
  /** `mapping->i_mmap`: vmas by `[pgoff, lastPgoff]`. */
  readonly iMmap = new IntervalTree<Vma>();
  readonly iMmapLock: RmapLock;
  /** `inode->i_rwsem`: serialises truncate and writes. */
  readonly iRwsem: RwSemaphore;
  /** A shared anonymous mapping's shmem file: its pages go when its last mapping does. */
  anonShared = false;

  /** @internal Use `mem.createFile()`: the memory registers it under `id`, the value a frame's `mapping` holds. */
  constructor(kernel: Kernel, era: Era, id: number, name: string, size: number) {
    this.id = id;
    this.name = name;
    this.size = size;
    this.iMmapLock = new RmapLock(kernel, era, { spin: 'i_mmap_lock', rwsem: 'i_mmap_rwsem' });
    this.iRwsem = new RwSemaphore(kernel, 'i_rwsem');
  }

  /** Pages covered by `i_size`. */
  get pages(): number {
    return Math.ceil(this.size / 4096);
  }
}

const INODE = brandClass(Inode, '@secondary-mmu/core-mm:Inode');

/**
 * True when `value` is a file made by any copy of core-mm (see {@link isAnonVma}).
 * Kernel counterpart: a `page->mapping` without `PAGE_MAPPING_ANON`, an `address_space`.
 */
export function isInode(value: unknown): value is Inode {
  return hasBrand(value, INODE);
}

/**
 * `struct mm_struct`: an address space — its vmas, its page table, `mmap_lock`, the
 * `page_table_lock` guarding upper page-table levels, and the secondary-MMU port
 * attached by the first notifier registration.
 */
export class Mm {
  readonly id: number;
  readonly kernel: Kernel;
  /** The era of the machine the mm lives on: where its notifier call sites are. */
  readonly era: Era;
  /** `mmap_lock` (`mmap_sem` in 2008). */
  readonly mmapLock: RwSemaphore;
  /** `mm->page_table_lock`. */
  readonly pageTableLock: SpinLock;
  readonly pageTable: PageTable;
  readonly vmas = new VmaTree<Vma>();
  /** The notifier subscriptions' port (`mm->notifier_subscriptions`), or null. */
  secondary: SecondaryMmuPort | null = null;
  /** `mm_users`. */
  users = 1;
  /** Resident pages mapped (anon + file), `get_mm_rss`. */
  rss = 0;
  /** Set once `exit_mmap` has torn the address space down. */
  dead = false;
  /**
   * The memory cgroup of the mm's owner (`mm->owner`'s `mem_cgroup`); 0 is the root.
   * Only memcg-scoped reclaim reads it (`mm_match_cgroup`); there is no hierarchy.
   */
  memcg = 0;
  /** `MMF_HAS_PINNED`: a `pin_user_pages` call was made on this mm (sticky; read by v6's fork). */
  hasPinned = false;
  /**
   * Notifier brackets begun and not yet ended on this mm, counted whether or not a port
   * is attached. Registration waits for zero ({@link Mm.rangesIdle}): the effect of
   * `mm_take_all_locks()`, which excludes every in-flight bracket (they hold the mmap
   * lock or an rmap lock of one of the mm's vmas) while a notifier is added.
   */
  rangesInFlight = 0;
  /** Woken when {@link Mm.rangesInFlight} drops to zero. */
  readonly rangesIdle: WaitQueue;

  /** @internal Use `mem.createProcess()` (or fork). */
  constructor(kernel: Kernel, era: Era, id: number) {
    this.kernel = kernel;
    this.era = era;
    this.id = id;
    this.mmapLock = new RwSemaphore(kernel, 'mmap_lock');
    this.pageTableLock = new SpinLock(kernel, 'page_table_lock');
    this.pageTable = new PageTable(kernel);
    this.rangesIdle = new WaitQueue(kernel, 'mm_take_all_locks');
  }
}

// The kernel layer declares `Task.mm` as an opaque `TaskMm` (C's `struct mm_struct;`);
// the memory model completes it: for code that sees this file, `task.mm` is the `Mm`.
declare module '../kernel/sched/task.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- completes the forward declaration
  interface TaskMm extends Mm {}
}

/** Why a range is invalidated (`enum mmu_notifier_event`). */
export type MmuNotifierEvent = 'unmap' | 'clear' | 'protection-vma' | 'protection-page' | 'soft-dirty' | 'release' | 'migrate' | 'exclusive';

/** `-EAGAIN`: the only failure a non-blockable `invalidate_range_start` may return. */
export const EAGAIN = -11;

/**
 * `struct mmu_notifier_range`. In the 2008 eras ranges carried no event (the model
 * still fills it in for traces) and `rfc-2008`'s `atomic` argument is
 * `blockable === false`.
 */
export interface MmuNotifierRange {
  readonly mm: Mm;
  readonly start: number;
  readonly end: number;
  readonly event: MmuNotifierEvent;
  /** May the callbacks sleep? False in non-blockable contexts (OOM reaper, 2008 atomic ranges, v2.6.27). */
  readonly blockable: boolean;
  /** `range->owner` (device migration); null when unused. */
  readonly owner: unknown;
}

/**
 * rfc-2008's external-rmap notifier (`mmu_rmap_notifier`): a machine-wide, page-keyed
 * hook for pages a driver exported (`mmu_rmap_export_page`, `PageExternalRmap`), the
 * hook SGI designed for XPMEM. `try_to_unmap()` and `page_mkclean()` call it after the
 * Linux rmap walk, with only the page lock held, so it may sleep. The merged API had no
 * such hook: it exists only in the `rfc-2008` era.
 */
export interface ExternalRmapPort {
  invalidatePage(task: Task, pfn: number): void | Promise<void>;
}

/**
 * The secondary-MMU port: what core-mm calls at each notifier call site, after
 * establishing the kernel's calling context there (locks held, a non-block section
 * for non-blockable ranges, the RCU read side in `v2.6.27`). `@secondary-mmu/mmu-notifier`
 * implements it and attaches it to an `Mm` (`mm.secondary`) on first registration;
 * a test may attach a recording port. Which calls happen, where, depends on the
 * machine's era (docs/notifier.md).
 */
export interface SecondaryMmuPort {
  /** `__mmu_notifier_release()`: the first step of `exit_mmap`, before any page is freed. */
  release(task: Task, mm: Mm): void | Promise<void>;
  /**
   * `__mmu_notifier_invalidate_range_start()`. Returns 0, or {@link EAGAIN} when the
   * range is not blockable and a subscriber would have to sleep; core-mm honours
   * the failure only where the kernel checks it (v6 non-blockable callers).
   */
  invalidateRangeStart(task: Task, range: MmuNotifierRange): number | Promise<number>;
  /** `__mmu_notifier_invalidate_range_end()`. */
  invalidateRangeEnd(task: Task, range: MmuNotifierRange): void | Promise<void>;
  /** 2008 eras: `mmu_notifier_invalidate_page(mm, address)`, right after the PTE was cleared, PT lock held. */
  invalidatePage(task: Task, mm: Mm, address: number): void | Promise<void>;
  /**
   * Aging: `age_page(mm, address)` in the RFC, `clear_flush_young(mm, start, end)` since
   * 2.6.27 — test and clear the secondary's accessed bits for the range, flushing its
   * TLB; true if any was set. Called from `page_referenced_one` (and, in the 2008 eras,
   * `try_to_unmap_one`) under the PT lock; the caller ORs it with the primary young bit.
   */
  clearFlushYoung(task: Task, mm: Mm, start: number, end: number): boolean | Promise<boolean>;
  /** v6: `mmu_notifier_arch_invalidate_secondary_tlbs()`, from TLB-flush paths (often under the PT lock). */
  archInvalidateSecondaryTlbs(task: Task, mm: Mm, start: number, end: number): void | Promise<void>;
}
