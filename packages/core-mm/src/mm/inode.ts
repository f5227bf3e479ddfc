import { RwSemaphore } from '../locks/rwsem.js';
import { IntervalTree } from '../util/interval-tree.js';
import type { Memory } from './memory.js';
import { RmapLock } from './rmap-lock.js';
import type { Vma } from './vma.js';

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

  constructor(memory: Memory, name: string, size: number) {
    this.id = memory.newMappingId(this);
    this.name = name;
    this.size = size;
    this.iMmapLock = new RmapLock(memory.machine, { spin: 'i_mmap_lock', rwsem: 'i_mmap_rwsem' });
    this.iRwsem = new RwSemaphore(memory.machine, 'i_rwsem');
  }

  /** Pages covered by `i_size`. */
  get pages(): number {
    return Math.ceil(this.size / 4096);
  }
}
