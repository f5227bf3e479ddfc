import { andThen, ensure } from '../kernel/util/flow.js';
import { mapNewAnon, mlockNew } from './fault-anon.js';
import { filemapFault } from './filemap.js';
import { PG } from './frames.js';
import { recordFrame, setPte } from './pte-ops.js';
import { addRmap, anonVmaPrepare } from './rmap.js';
import { FAULT_FLAG, USER, USER_WRITE, type VmFault } from './vm-fault.js';

/**
 * `do_fault()`: a none entry of a file vma. A read maps the page-cache page
 * read-only (`do_read_fault`; a write fault comes later if needed), a private write
 * copies it into a new anonymous page (`do_cow_fault`), a shared write maps it
 * writable and dirties it (`do_shared_fault`).
 */
export function doFault(vmf: VmFault): void | Promise<void> {
  if ((vmf.flags & FAULT_FLAG.write) === 0) return doReadFault(vmf);
  if (vmf.vma.isPrivate) return doCowFault(vmf);
  return doSharedFault(vmf);
}

/** `do_read_fault()`: find the page-cache page, map it read-only. */
function doReadFault(vmf: VmFault): void | Promise<void> {
  return andThen(filemapFault(vmf), () => finishFault(vmf));
}

/**
 * `do_cow_fault()`: find the page-cache page, copy it into `vmf.cowPage` and map
 * that. Unlike the kernel, the page is found before the copy is allocated, and the
 * fault's reference to it is dropped once the allocation is done (the page cache
 * still holds one; {@link truncated} catches a page that left it meanwhile).
 */
function doCowFault(vmf: VmFault): void | Promise<void> {
  const { mem, task } = vmf;
  return andThen(anonVmaPrepare(mem, task, vmf.vma), () =>
    andThen(filemapFault(vmf), () =>
      andThen(
        ensure(
          () => mem.allocator.alloc(task, 'user', false),
          () => mem.allocator.put(task, vmf.page),
        ),
        (pfn) => {
          vmf.cowPage = pfn;
          mem.frames.content[pfn] = mem.frames.content[vmf.page]!; // copy_user_highpage
          return finishFault(vmf);
        },
      ),
    ),
  );
}

/**
 * `do_shared_fault()`: a shared write. The page stays locked across mapping it
 * writable and dirtying it (`page_mkwrite` returns it locked, `fault_dirty_shared_page`
 * unlocks it), with a reference of its own held meanwhile.
 */
function doSharedFault(vmf: VmFault): void | Promise<void> {
  const { mem, task } = vmf;
  return andThen(filemapFault(vmf), () => {
    const pfn = vmf.page;
    mem.allocator.get(pfn);
    return ensure(
      () => andThen(mem.pageLock.lock(task, pfn), () => ensure(() => finishFault(vmf), () => mem.pageLock.unlock(task, pfn))),
      () => mem.allocator.put(task, pfn),
    );
  });
}

/**
 * `finish_fault()`: under the PT lock, map `vmf.cowPage` as a new anonymous page for
 * a private write, else `vmf.page` from the page cache (writable and dirtied for a
 * shared write) — unless the entry is no longer none or the page left the cache
 * meanwhile: then the page is put back and the access retries.
 */
function finishFault(vmf: VmFault): void | Promise<void> {
  const { mem, task, vma, table, index: i } = vmf;
  const write = (vmf.flags & FAULT_FLAG.write) !== 0;
  const cow = write && vma.isPrivate;
  return andThen(table.ptl.lock(task), () => {
    if (table.bits[i] !== 0 || truncated(vmf)) mem.allocator.put(task, cow ? vmf.cowPage : vmf.page);
    else if (cow) mapNewAnon(vmf, vmf.cowPage);
    else {
      const pfn = vmf.page;
      addRmap(mem, pfn);
      mlockNew(mem, vma, pfn);
      setPte(mem, vma.mm, table, i, pfn, write ? USER_WRITE : USER, 'fault');
      if (write) mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.dirty;
      recordFrame(mem, pfn, 'map', task);
      vma.mm.rss++;
    }
    return table.ptl.unlock(task);
  });
}

/**
 * The cache page left the cache while the fault waited (truncate or hole punch):
 * `filemap_fault`'s `folio->mapping` recheck. The fault maps nothing; the access retries.
 */
function truncated(vmf: VmFault): boolean {
  return vmf.vma.file!.pageCache.get(vmf.pgoff) !== vmf.page;
}
