import type { Machine } from '../machine.js';
import { BitLock } from '../locks/bit-lock.js';
import { SmmuError } from '../errors.js';
import type { AnonVma } from './anon-vma.js';
import type { Era } from './era.js';
import { FrameTable, PG, PG_LOCKED_BIT } from './frames.js';
import { Inode } from './inode.js';
import { Mm, Process } from './mm.js';
import { Observers } from './observe.js';
import { PageAllocator } from './page-alloc.js';
import type { Task } from '../sched/task.js';
import { cpuRead, cpuWrite } from './cpu.js';
import { exitMm } from './exit.js';
import { mmap, munmap, type MmapArgs } from './mmap.js';

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
  readonly processes: Process[] = [];
  private readonly owners: (AnonVma | Inode | undefined)[] = [undefined];
  private nextMm = 1;

  constructor(machine: Machine, options: MemoryOptions) {
    this.machine = machine;
    this.era = machine.era;
    this.frames = new FrameTable(options.frames ?? 4096);
    this.allocator = new PageAllocator(machine, this.frames, this.observers);
    this.pageLock = new BitLock(machine, 'PG_locked', this.frames.flags, PG_LOCKED_BIT);
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

  /** @internal */
  newMm(): Mm {
    return new Mm(this.machine, this.nextMm++);
  }
}
