import type { Task } from '../kernel/sched/task.js';
import { cpuRead, cpuWrite } from './cpu.js';
import { exitMm } from './exit.js';
import { fallocatePunchHole, ftruncate, pread, pwrite } from './file-ops.js';
import { fork } from './fork.js';
import { madvise, type MadviseAdvice } from './madvise.js';
import { MemoryState } from './memory-state.js';
import { mlock, munlock } from './mlock.js';
import type { Inode } from './mm-types.js';
import { mmap, munmap, type MmapArgs } from './mmap.js';
import type { Process } from './process.js';
import { mprotect } from './mprotect.js';
import { mremap } from './mremap.js';
import { syncAll, writebackFile } from './writeback.js';

/**
 * A machine's memory (`machine.mem`): its state (see {@link MemoryState}) and the
 * process face — what a workload or a scenario calls. Each call returns a Promise only
 * if it had to wait. It stands above the operations it offers, so that none of them
 * depends on it.
 */
export class Memory extends MemoryState {
  /** `mmap()`; see {@link mmap}. */
  mmap(task: Task, args: MmapArgs): number | Promise<number> {
    return mmap(this, task, args);
  }

  /** `munmap()`; see {@link munmap}. */
  munmap(task: Task, addr: number, length: number): void | Promise<void> {
    return munmap(this, task, addr, length);
  }

  /** `mremap()`: resize and maybe move a mapping; returns its address. `newAddr` only with `MREMAP_FIXED`. See {@link mremap}. */
  mremap(task: Task, oldAddr: number, oldLength: number, newLength: number, flags = 0, newAddr?: number): number | Promise<number> {
    return mremap(this, task, oldAddr, oldLength, newLength, flags, newAddr);
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
}
