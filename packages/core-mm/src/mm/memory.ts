import type { Machine } from '../machine.js';
import { BitLock } from '../locks/bit-lock.js';
import { SmmuError } from '../errors.js';
import type { AnonVma } from './anon-vma.js';
import type { Era } from './era.js';
import { FrameTable, PG, PG_LOCKED_BIT } from './frames.js';
import { Inode } from './inode.js';
import { LruLists } from './lru.js';
import { Mm, Process } from './mm.js';
import { Observers } from './observe.js';
import { PageAllocator } from './page-alloc.js';
import type { SwapDevice } from './swap.js';
import type { ExternalRmapPort } from './port.js';
import type { Task } from '../sched/task.js';
import { cpuRead, cpuWrite } from './cpu.js';
import { exitMm } from './exit.js';
import { fallocatePunchHole, ftruncate, pread, pwrite } from './file-ops.js';
import { fork } from './fork.js';
import { madvise, type MadviseAdvice } from './madvise.js';
import { mlock, munlock } from './mlock.js';
import { mmap, munmap, type MmapArgs } from './mmap.js';
import { mprotect } from './mprotect.js';
import { syncAll, writebackFile } from './writeback.js';

/** Size of a machine's physical memory. */
export interface MemoryOptions {
  /** Physical frames of 4 KiB, including the zero page (default 4096: 16 MiB). */
  frames?: number;
}

/**
 * A machine's memory: its frames, the allocator, the page lock, the observation bus,
 * the registry of reverse-map owners (anon_vmas and inodes, by the id a frame's
 * `mapping` holds), and its processes.
 */
export class Memory {
  readonly machine: Machine;
  readonly era: Era;
  readonly frames: FrameTable;
  readonly allocator: PageAllocator;
  /** The observation face. */
  readonly observers = new Observers();
  /** The page lock: `PG_locked` in each frame's flags word. */
  readonly pageLock: BitLock;
  /** The LRU lists reclaim scans. */
  readonly lru: LruLists;
  /** rfc-2008's external-rmap notifier, machine-wide (null: none registered). */
  externalRmap: ExternalRmapPort | null = null;
  /** @internal The swap device (`swapOf`, `configureSwap`): per machine, never at module level. */
  swapDevice: SwapDevice | null = null;
  readonly processes: Process[] = [];
  private readonly owners: (AnonVma | Inode | undefined)[] = [undefined];
  private nextMm = 1;

  constructor(machine: Machine, options: MemoryOptions) {
    this.machine = machine;
    this.era = machine.era;
    this.frames = new FrameTable(options.frames ?? 4096);
    this.allocator = new PageAllocator(machine, this.frames, this.observers);
    this.pageLock = new BitLock(machine, 'PG_locked', this.frames.flags, PG_LOCKED_BIT);
    this.lru = new LruLists(machine, this.frames);
    this.allocator.onFree = (pfn) => this.lru.remove(pfn);
  }

  /** @internal A new id for a reverse-map owner. */
  newMappingId(owner: AnonVma | Inode): number {
    this.owners.push(owner);
    return this.owners.length - 1;
  }

  /** The anon_vma or inode a frame belongs to (`page->mapping`). */
  ownerOf(pfn: number): AnonVma | Inode | undefined {
    return this.owners[this.frames.mapping[pfn]!];
  }

  /** Every file this memory has created (for audits such as `verify`). */
  inodes(): Inode[] {
    return this.owners.filter((o): o is Inode => o instanceof Inode);
  }

  /** Whether a frame is anonymous (`PageAnon`). */
  isAnon(pfn: number): boolean {
    return (this.frames.flags[pfn]! & PG.anon) !== 0;
  }

  /** A new process with an empty address space. */
  createProcess(name: string): Process {
    if (typeof name !== 'string' || name === '') throw new SmmuError('EINVAL', `process name ${JSON.stringify(name)} must be a non-empty string`);
    const p = new Process(this.machine, this.processes.length + 1, name, this.newMm());
    this.processes.push(p);
    return p;
  }

  /** A file of `size` bytes (a hole until written). */
  createFile(name: string, size = 0): Inode {
    if (!Number.isSafeInteger(size) || size < 0) throw new SmmuError('EINVAL', `file size ${String(size)} must be a non-negative integer`);
    return new Inode(this, name, size);
  }

  // The process face: what a workload or a scenario calls. Each returns a Promise
  // only if the call had to wait.

  /** `mmap()`; see {@link mmap}. */
  mmap(task: Task, args: MmapArgs): number | Promise<number> {
    return mmap(this, task, args);
  }

  /** `munmap()`; see {@link munmap}. */
  munmap(task: Task, addr: number, length: number): void | Promise<void> {
    return munmap(this, task, addr, length);
  }

  /** `mprotect()`; see {@link mprotect}. */
  mprotect(task: Task, addr: number, length: number, prot: number): void | Promise<void> {
    return mprotect(this, task, addr, length, prot);
  }

  /** `madvise()`; see {@link madvise}. */
  madvise(task: Task, addr: number, length: number, advice: MadviseAdvice): void | Promise<void> {
    return madvise(this, task, addr, length, advice);
  }

  /** `mlock()`: lock and populate; see {@link mlock}. */
  mlock(task: Task, addr: number, length: number): void | Promise<void> {
    return mlock(this, task, addr, length);
  }

  /** `munlock()`; see {@link munlock}. */
  munlock(task: Task, addr: number, length: number): void | Promise<void> {
    return munlock(this, task, addr, length);
  }

  /** `fork()`: a child process with a COW copy of the task's address space; see {@link fork}. */
  fork(task: Task, childName: string): Process | Promise<Process> {
    return fork(this, task, childName);
  }

  /** `pread()`: the content words of the file's pages covering `[offset, offset + length)`. */
  pread(task: Task, file: Inode, offset: number, length: number): number[] {
    return pread(this, task, file, offset, length);
  }

  /** `pwrite()`: one content word per page from `offset` (page aligned), through the page cache. */
  pwrite(task: Task, file: Inode, offset: number, words: readonly number[]): void | Promise<void> {
    return pwrite(this, task, file, offset, words);
  }

  /** `ftruncate()`: unmaps and drops the pages beyond the new size from every mapping. */
  ftruncate(task: Task, file: Inode, size: number): void | Promise<void> {
    return ftruncate(this, task, file, size);
  }

  /** `fallocate(FALLOC_FL_PUNCH_HOLE)`: unmaps and drops the hole's pages (private COW copies stay). */
  punchHole(task: Task, file: Inode, offset: number, length: number): void | Promise<void> {
    return fallocatePunchHole(this, task, file, offset, length);
  }

  /** `fsync()`: write back the file's dirty pages; returns how many were written. */
  fsync(task: Task, file: Inode): number | Promise<number> {
    return writebackFile(this, task, file);
  }

  /** `sync()`: write back every file's dirty pages. */
  sync(task: Task): number | Promise<number> {
    return syncAll(this, task);
  }

  /** A CPU load of the content word at `address`. */
  read(task: Task, address: number): number | Promise<number> {
    return cpuRead(this, task, address);
  }

  /** A CPU store of a 32-bit word at `address`. */
  write(task: Task, address: number, value: number): void | Promise<void> {
    return cpuWrite(this, task, address, value);
  }

  /** The task's process exits (`exit_mm`); the last user tears the mm down. */
  exit(task: Task): void | Promise<void> {
    return exitMm(this, task);
  }

  /** @internal The shmem-like file behind a `MAP_SHARED | MAP_ANONYMOUS` mapping. */
  createShmem(name: string, size: number): Inode {
    const inode = this.createFile(name, size);
    inode.anonShared = true;
    return inode;
  }

  /** @internal */
  newMm(): Mm {
    return new Mm(this.machine, this.nextMm++);
  }
}
