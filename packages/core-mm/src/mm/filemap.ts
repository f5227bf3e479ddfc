import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import type { Inode } from './mm-types.js';
import { hex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { VmFault } from './vm-fault.js';

/**
 * `filemap_fault()`, the `->fault` of a page-cache file: sets `vmf.page` to the
 * page-cache frame of the fault's file page, with a reference for the caller; on a
 * miss, a new frame is read from the backing store and inserted (the page cache keeps
 * its own reference). Beyond `i_size`: SIGBUS, `vmf.page` left unset.
 */
export function filemapFault(vmf: VmFault): void | Promise<void> {
  const { mem, task, address, pgoff: index } = vmf;
  const inode = vmf.vma.file!;
  if (index >= inode.pages) {
    throw SmmuError.answer('SIGBUS', `${task.name}: access to ${hex(address)}: page ${index} is beyond the end of ${inode.name} (${inode.size} bytes)`);
  }
  return andThen(getCachePage(mem, task, inode, index, true), (pfn) => {
    if (index < inode.pages) {
      vmf.page = pfn;
      return;
    }
    // Truncated while the page was being read in.
    mem.allocator.put(task, pfn);
    throw SmmuError.answer('SIGBUS', `${task.name}: access to ${hex(address)}: page ${index} is beyond the end of ${inode.name} (${inode.size} bytes)`);
  });
}

/**
 * `filemap_get_folio()` + read on a miss: the cached frame of page `index`, referenced
 * for the caller. A fault passes `withinSize`: a page read in while a truncate ran is
 * then not inserted beyond the new end (the caller gets SIGBUS), where `pwrite` may
 * create pages past `i_size` before it extends it.
 */
export function getCachePage(mem: MemoryState, task: Task, inode: Inode, index: number, withinSize = false): number | Promise<number> {
  const cached = inode.pageCache.get(index);
  if (cached !== undefined) {
    mem.allocator.get(cached);
    return cached;
  }
  return andThen(mem.allocator.alloc(task, 'user', false), (pfn) => {
    const raced = inode.pageCache.get(index);
    if (raced !== undefined) {
      mem.allocator.put(task, pfn);
      mem.allocator.get(raced);
      return raced;
    }
    if (withinSize && index >= inode.pages) {
      mem.allocator.put(task, pfn);
      throw SmmuError.answer('SIGBUS', `${task.name}: page ${index} of ${inode.name} went beyond its end (${inode.size} bytes) while it was read in`);
    }
    const f = mem.frames;
    f.content[pfn] = inode.backing.get(index) ?? 0;
    f.mapping[pfn] = inode.id;
    f.index[pfn] = index;
    f.refcount[pfn] = 2; // the page cache's reference and the caller's
    inode.pageCache.set(index, pfn);
    mem.lru.add(pfn, false); // add_to_page_cache_lru: the inactive file list
    return pfn;
  });
}
