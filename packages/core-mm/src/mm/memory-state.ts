import type { Kernel } from '../kernel/kernel.js';
import { SmmuError } from '../kernel/errors.js';
import { closureOver } from '../kernel/util/graph-copy.js';
import { BitLock } from '../kernel/locks/bit-lock.js';
import { LockdepMap } from '../kernel/locks/lockdep-map.js';
import type { Era } from './era.js';
import { FrameTable, PG, PG_LOCKED_BIT } from './frames.js';
import { LruLists } from './lru.js';
import { AnonVma, Inode, isInode, Mm, type ExternalRmapPort } from './mm-types.js';
import { Observers } from './observe.js';
import { PageAllocator } from './page-alloc.js';
import { Process } from './process.js';
import type { SwapDevice } from './swap-device.js';

/** Size of a machine's physical memory. */
export interface MemoryOptions {
  /** Physical frames of 4 KiB, including the zero page (default 4096: 16 MiB). */
  frames?: number;
}

/**
 * A machine's memory as the model's operations see it: its frames, the allocator, the
 * page lock, the LRU lists, the observation bus, the registry of reverse-map owners
 * (anon_vmas and inodes, by the id a frame's `mapping` holds), and its processes.
 * Every operation of the memory model takes it as its first argument; `Memory` adds
 * the process face on top.
 */
export class MemoryState {
  readonly kernel: Kernel;
  readonly era: Era;
  readonly frames: FrameTable;
  readonly allocator: PageAllocator;
  /** The observation face. */
  readonly observers = new Observers();
  /** The page lock: `PG_locked` in each frame's flags word. */
  readonly pageLock: BitLock;
  /** The LRU lists reclaim scans. */
  readonly lru: LruLists;
  /**
   * The `fs_reclaim` pseudo-lock: a sleeping allocation acquires and releases it
   * (`might_alloc()` -> `fs_reclaim_acquire/release`), reclaim holds it while it runs,
   * so a lock taken both around an allocation and inside reclaim is an inversion.
   */
  readonly fsReclaim: LockdepMap;
  /** rfc-2008's external-rmap notifier, machine-wide (null: none registered). */
  externalRmap: ExternalRmapPort | null = null;
  /** @internal The swap device (`swapOf`, `configureSwap`): per machine, never at module level. */
  swapDevice: SwapDevice | null = null;
  readonly processes: Process[] = [];
  private readonly owners: (AnonVma | Inode | undefined)[] = [undefined];
  private nextMm = 1;

  constructor(kernel: Kernel, era: Era, options: MemoryOptions) {
    this.kernel = kernel;
    this.era = era;
    this.frames = new FrameTable(options.frames ?? 4096);
    this.fsReclaim = new LockdepMap(kernel, 'fs_reclaim');
    this.allocator = new PageAllocator(kernel, this.fsReclaim, this.frames, this.observers);
    this.pageLock = new BitLock(kernel, 'PG_locked', this.frames.flags, PG_LOCKED_BIT);
    this.lru = new LruLists(kernel, this.frames);
    // Made with closureOver so a copy of the world (a testkit's template) makes it again over its own lru.
    this.allocator.onFree = closureOver(lruRemover, this.lru);
  }

  /** A new anon_vma (`anon_vma_alloc`), a child of `parent` in the fork tree, or a root. */
  newAnonVma(parent: AnonVma | null): AnonVma {
    const anonVma = new AnonVma(this.kernel, this.era, this.owners.length, parent);
    this.owners.push(anonVma);
    return anonVma;
  }

  /** The anon_vma or inode a frame belongs to (`page->mapping`). */
  ownerOf(pfn: number): AnonVma | Inode | undefined {
    return this.owners[this.frames.mapping[pfn]!];
  }

  /** Every file this memory has created (for audits such as `verify`). */
  inodes(): Inode[] {
    return this.owners.filter(isInode);
  }

  /** Whether a frame is anonymous (`PageAnon`). */
  isAnon(pfn: number): boolean {
    return (this.frames.flags[pfn]! & PG.anon) !== 0;
  }

  /** A new process with an empty address space. */
  createProcess(name: string): Process {
    if (typeof name !== 'string' || name === '') throw new SmmuError('EINVAL', `process name ${JSON.stringify(name)} must be a non-empty string`);
    const p = new Process(this.kernel, this.processes.length + 1, name, this.newMm());
    this.processes.push(p);
    return p;
  }

  /** A file of `size` bytes (a hole until written). */
  createFile(name: string, size = 0): Inode {
    if (!Number.isSafeInteger(size) || size < 0) throw new SmmuError('EINVAL', `file size ${String(size)} must be a non-negative integer`);
    const inode = new Inode(this.kernel, this.era, this.owners.length, name, size);
    this.owners.push(inode);
    return inode;
  }

  /** @internal The shmem-like file behind a `MAP_SHARED | MAP_ANONYMOUS` mapping. */
  createShmem(name: string, size: number): Inode {
    const inode = this.createFile(name, size);
    inode.anonShared = true;
    return inode;
  }

  /** @internal */
  newMm(): Mm {
    return new Mm(this.kernel, this.era, this.nextMm++);
  }
}

/** The allocator's free hook: a freed frame leaves the LRU. */
function lruRemover(lru: LruLists): (pfn: number) => void {
  return (pfn) => lru.remove(pfn);
}
