import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { isAnonVma } from './mm-types.js';
import { PG } from './frames.js';
import { hex, PAGE_SIZE, pageNumber, pteIndex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { VM_PROT_MASK, type Mm, type MmuNotifierRange } from './mm-types.js';
import { notifierRange, notifyInvalidatePage, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import { clearPte, recordFrame, setPte } from './pte-ops.js';
import { isMigrationPte, migrationPte, PTE } from './pte.js';
import { addRmap, removeRmap } from './rmap.js';
import { rmapWalk } from './rmap-walk.js';
import { swapIfAny } from './swap.js';

/** Flags a migrated page carries over to its new frame. */
const MOVED_FLAGS = PG.dirty | PG.anon | PG.swapbacked | PG.anonExclusive | PG.referenced | PG.mlocked;

/**
 * `migrate_pages()` for one page (`unmap_and_move`): lock it, refuse it if someone
 * holds a reference beyond its mappings and the page cache (`folio_migrate_mapping`'s
 * expected count: pins and gup references keep a page in place, as in both eras), then
 * replace every PTE by a migration entry (`try_to_migrate`), copy the page to a new
 * frame, move the page-cache slot, and turn the migration entries into PTEs of the
 * new frame (`remove_migration_ptes`). A CPU fault on a migration entry waits for the
 * page lock, then retries. Call sites per era: 2008 `try_to_unmap(page, 1)` — no young
 * check, `invalidate_page` right after the PTE is cleared under the PT lock and the
 * rmap spinlock; v6 `try_to_migrate_one` — a CLEAR range (MIGRATE with an owner is for
 * device migration) begun before the PT lock, the secondary TLB flush under it.
 * Returns the new pfn; EBUSY when the page has extra references.
 */
export function migratePage(mem: MemoryState, task: Task, pfn: number): number | Promise<number> {
  const f = mem.frames;
  if (!f.valid(pfn) || (f.flags[pfn]! & (PG.free | PG.reserved)) !== 0 || f.mapping[pfn] === 0) {
    throw new SmmuError('EINVAL', `migrate: pfn ${String(pfn)} is not a mapped or cached page`);
  }
  // Isolate first (folio_try_get, as move_pages takes its reference under the PT lock):
  // the page lock may be waited for, and the page must not be freed meanwhile.
  if (!mem.allocator.tryGet(pfn)) throw new SmmuError('EINVAL', `migrate: pfn ${pfn} was freed`);
  return ensure(
    () =>
      andThen(mem.pageLock.lock(task, pfn), () => {
        const owner = mem.ownerOf(pfn);
        const cached = owner !== undefined && !isAnonVma(owner) && owner.pageCache.get(f.index[pfn]!) === pfn ? 1 : 0;
        const inSwapCache = (f.flags[pfn]! & PG.swapcache) !== 0 ? 1 : 0;
        const expected = f.mapcount[pfn]! + cached + inSwapCache + 1; // + the isolation reference
        if (f.refcount[pfn]! !== expected || f.pincount[pfn]! > 0) {
          const busy = new SmmuError('EBUSY', `migrate: pfn ${pfn} has ${f.refcount[pfn]! - expected} reference(s) beyond its mappings and the page cache (pinned or in use)`);
          return andThen(mem.pageLock.unlock(task, pfn), () => Promise.reject(busy));
        }
        return ensure(
          () => migrateLocked(mem, task, pfn, cached === 1),
          () => mem.pageLock.unlock(task, pfn),
        );
      }),
    () => mem.allocator.put(task, pfn), // the isolation reference: the last one frees the old frame
  );
}

function migrateLocked(mem: MemoryState, task: Task, old: number, cached: boolean): number | Promise<number> {
  const f = mem.frames;
  const owner = mem.ownerOf(old);
  return andThen(mem.allocator.alloc(task, 'user', false), (moved) =>
          andThen(unmapToMigrationEntries(mem, task, old), (entries) => {
            f.content[moved] = f.content[old]!;
            f.flags[moved] = f.flags[moved]! | (f.flags[old]! & MOVED_FLAGS);
            f.mapping[moved] = f.mapping[old]!;
            f.index[moved] = f.index[old]!;
            if (cached && owner !== undefined && !isAnonVma(owner)) {
              owner.pageCache.set(f.index[old]!, moved); // the cache's reference moves with the slot
              mem.allocator.get(moved);
              mem.allocator.put(task, old);
            }
            const swap = swapIfAny(mem);
            const slot = swap?.slotOfPage.get(old);
            if (swap !== undefined && slot !== undefined) {
              // The swap-cache slot moves with the page, its reference with it (migrate_folio_mapping).
              swap.cache.set(slot, moved);
              swap.slotOfPage.delete(old);
              swap.slotOfPage.set(moved, slot);
              f.flags[moved] = f.flags[moved] | PG.swapcache;
              f.flags[old] = f.flags[old]! & ~PG.swapcache;
              mem.allocator.get(moved);
              mem.allocator.put(task, old);
            }
            const active = (f.flags[old]! & PG.active) !== 0;
            if ((f.flags[old]! & PG.lru) !== 0) {
              mem.lru.remove(old);
              mem.lru.add(moved, active);
            }
            f.flags[old] = f.flags[old]! & ~(PG.dirty | PG.anonExclusive);
            recordFrame(mem, moved, 'cow', task);
            return andThen(restoreMigrationEntries(mem, task, old, moved, entries), () => {
              mem.allocator.put(task, moved); // the allocation's reference: the mappings and cache hold theirs
              return moved;
            });
          }),
  );
}

/** Where a migration entry was written, to turn back into a PTE. */
interface Entry {
  readonly mm: Mm;
  readonly address: number;
}

/** `try_to_migrate()`: every mapping of `old` becomes a migration entry. */
function unmapToMigrationEntries(mem: MemoryState, task: Task, old: number): Entry[] | Promise<Entry[]> {
  const v6 = mem.era === 'v6';
  const entries: Entry[] = [];
  const ranges = new Map<string, MmuNotifierRange>();
  const walked = rmapWalk(mem, task, old, {
    before: v6
      ? (vma, address) => {
          const range = notifierRange(vma.mm, address, address + PAGE_SIZE, 'clear');
          ranges.set(`${vma.mm.id}:${address}`, range);
          return andThen(notifyRangeStart(task, range), () => true);
        }
      : undefined,
    mapped: ({ vma, address, table, index }) => {
      const bits = clearPte(mem, vma.mm, table, index, 'migrate');
      const entry = migrationPte(old, (bits & PTE.write) !== 0);
      setPte(mem, vma.mm, table, index, entry.word, entry.bits | (bits & PTE.dirty ? PTE.dirty : 0), 'migrate');
      if ((bits & PTE.dirty) !== 0) mem.frames.flags[old] = mem.frames.flags[old]! | PG.dirty;
      removeRmap(mem, old);
      recordFrame(mem, old, 'unmap', task);
      entries.push({ mm: vma.mm, address });
      const told = v6 ? notifySecondaryTlbs(task, vma.mm, address, address + PAGE_SIZE) : notifyInvalidatePage(task, vma.mm, address);
      return andThen(told, () => {
        mem.allocator.put(task, old); // the mapping's reference
        return true;
      });
    },
    after: v6
      ? (vma, address) => {
          const range = ranges.get(`${vma.mm.id}:${address}`);
          return range === undefined ? undefined : notifyRangeEnd(task, range);
        }
      : undefined,
  });
  return andThen(walked, () => entries);
}

/** `remove_migration_ptes()`: each migration entry for `old` becomes a PTE of `moved`, under its PT lock. */
function restoreMigrationEntries(mem: MemoryState, task: Task, old: number, moved: number, entries: readonly Entry[]): void | Promise<void> {
  const step = (k: number): void | Promise<void> => {
    for (; k < entries.length; k++) {
      const { mm, address } = entries[k]!;
      const vpn = pageNumber(address);
      const table = mm.pageTable.lookup(vpn);
      if (table === undefined) continue;
      const i = pteIndex(vpn);
      const r = andThen(table.ptl.lock(task), () => {
        const bits = table.bits[i]!;
        const vma = mm.vmas.lookup(address);
        if (isMigrationPte(bits) && table.word[i] === old && vma !== undefined) {
          // mk_pte(new, vma->vm_page_prot): PROT_NONE stays inaccessible; write only from a writable entry.
          const access = (vma.flags & VM_PROT_MASK) !== 0 ? PTE.user : 0;
          const write = (bits & PTE.migrationWrite) !== 0 && access !== 0 ? PTE.write : 0;
          setPte(mem, mm, table, i, moved, PTE.present | access | write | (bits & PTE.dirty), 'migrate');
          mem.allocator.get(moved);
          addRmap(mem, moved);
          recordFrame(mem, moved, 'map', task);
        }
        return table.ptl.unlock(task);
      });
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return step(0);
}

/**
 * `move_pages()`: migrate the pages mapped at `addresses` of `mm` (the caller holds
 * nothing). Returns each page's outcome: its new pfn, or the error code (EFAULT for an
 * address with nothing mapped, EBUSY for a pinned page).
 */
export function movePages(mem: MemoryState, task: Task, mm: Mm, addresses: readonly number[]): (number | string)[] | Promise<(number | string)[]> {
  const out: (number | string)[] = [];
  const step = (k: number): void | Promise<void> => {
    for (; k < addresses.length; k++) {
      const address = addresses[k]!;
      const table = mm.pageTable.lookup(pageNumber(address));
      const i = pteIndex(pageNumber(address));
      if (table === undefined || (table.bits[i]! & PTE.present) === 0 || (table.bits[i]! & PTE.special) !== 0) {
        out.push('EFAULT');
        continue;
      }
      let r: number | Promise<number>;
      try {
        r = migratePage(mem, task, table.word[i]!);
      } catch (error) {
        out.push((error as SmmuError).code ?? 'EFAULT');
        continue;
      }
      if (r instanceof Promise) {
        return r.then(
          (moved) => {
            out.push(moved);
            return step(k + 1);
          },
          (error: unknown) => {
            out.push((error as SmmuError).code ?? `EFAULT at ${hex(address)}`);
            return step(k + 1);
          },
        );
      }
      out.push(r);
    }
  };
  return andThen(step(0), () => out);
}

/** A compaction pass (`compact_zone`, reduced): migrate up to `count` movable LRU pages, highest pfn first. */
export function compact(mem: MemoryState, task: Task, count: number): number | Promise<number> {
  const f = mem.frames;
  const candidates: number[] = [];
  for (let pfn = f.count - 1; pfn > 0 && candidates.length < count; pfn--) {
    if ((f.flags[pfn]! & PG.lru) !== 0 && f.pincount[pfn] === 0) candidates.push(pfn);
  }
  let moved = 0;
  const step = (k: number): void | Promise<void> => {
    for (; k < candidates.length; k++) {
      let r: number | Promise<number>;
      try {
        r = migratePage(mem, task, candidates[k]!);
      } catch {
        continue; // busy: skip it, as compaction does
      }
      if (r instanceof Promise) {
        return r.then(
          () => {
            moved++;
            return step(k + 1);
          },
          () => step(k + 1),
        );
      }
      moved++;
    }
  };
  return andThen(step(0), () => moved);
}
