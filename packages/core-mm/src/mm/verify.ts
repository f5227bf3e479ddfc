import { captureSite } from '../kernel/check/site.js';
import type { Violation } from '../kernel/check/violation.js';
import { digest } from '../kernel/util/hash.js';
import { AnonVma, Inode, VM, VM_PROT_MASK, type Vma } from './mm-types.js';
import { PG } from './frames.js';
import { hex, PAGE_SIZE, pageAligned, PTRS_PER_TABLE, TASK_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { describePte, isSwapPte, PTE } from './pte.js';
import { rmapHits } from './rmap.js';
import type { SwapDevice } from './swap-device.js';
import { swapIfAny } from './swap.js';

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Record each finding in the machine's report as an `invariant` violation (default true). */
  readonly record?: boolean;
  /**
   * Findings reported one by one (default 100); the rest are counted in one closing
   * finding, so a badly corrupted machine does not flood the report.
   */
  readonly limit?: number;
}

interface Finding {
  readonly message: string;
  readonly details?: readonly string[];
}

/**
 * DEBUG_VM-style invariants of a machine's memory (`VM_BUG_ON_PAGE`, `page_mapcount`
 * against the page tables, `check_mm`'s rss, `validate_mm`'s vma ordering), checked
 * at a quiescent point — after a scenario, between operations of a test:
 *
 * - every vma of an mm is page aligned, non-empty, inside user space, ordered and
 *   non-overlapping, belongs to that mm, and is linked into its file's `i_mmap` and
 *   its anon_vma's tree;
 * - every non-none PTE lies inside a vma of its mm ("PTE outside its VMA"); a
 *   present entry names a frame that exists and is not free (a use-after-free); a
 *   special entry maps the zero page and is never writable; each table's `used`
 *   counts its non-none entries;
 * - a present entry grants no more than its vma: `PTE.write` needs `VM_WRITE`,
 *   `PTE.user` needs one of `VM_READ | VM_WRITE | VM_EXEC`;
 * - no COW breach: a writable entry of a private vma maps an anonymous frame that
 *   exactly one PTE maps (else a write through it would be seen by another mapping);
 * - `mm.rss` equals the mm's present non-special entries;
 * - each in-use frame's mapcount equals the number of PTEs mapping it, and its
 *   refcount is at least mapcount + pins + 1 if it is in a page cache; an anonymous
 *   frame belongs to an anon_vma, a file frame to the inode whose page cache holds it
 *   at its index;
 * - every page-cache index of a file is below its `i_size` in pages;
 * - every mapping of an anon or file page is found by the rmap walk ({@link rmapHits}),
 *   and the walk finds nothing else;
 * - every vma in a file's `i_mmap` or in an anon_vma's tree (those reachable from live
 *   vmas and in-use anonymous frames) belongs to a live mm and is in that mm's vma
 *   tree — no vma of a dead or exited mm, no detached vma, stays in a reverse map;
 * - free frames have refcount, mapcount and pins 0, are off the LRU, in no page cache,
 *   and are exactly the frames the allocator's free list holds;
 * - swap: a swap entry names an allocated slot of the swap device, in a vma with an
 *   anon_vma (swap-in maps an anonymous page); each slot's use count (`swap_map`)
 *   equals the number of swap entries naming it across all live mms — more is a leaked
 *   slot, fewer a slot that would be reused under an entry; the device's free list
 *   holds exactly its slots with count 0.
 *
 * Cost O(frames + PTEs + cached pages + vmas + rmap tree sizes + swap slots) with typed-array
 * counters; an rmap walk per mapped frame. Returns the findings; unless `{ record: false }`, each is also
 * recorded in the machine's report as a violation of kind `invariant` (never thrown,
 * even on a strict machine). Messages name the pfn, address, mm and the numbers;
 * details carry the frame's recorded history.
 */
export function verify(machine: { readonly mem: MemoryState }, options: VerifyOptions = {}): Violation[] {
  const mem = machine.mem;
  const limit = options.limit ?? 100;
  const findings: Finding[] = [];
  let dropped = 0;
  const report = (message: string, pfn = -1): void => {
    if (findings.length >= limit) {
      dropped++;
      return;
    }
    findings.push(pfn >= 0 && pfn < mem.frames.count ? { message, details: mem.frames.describe(pfn) } : { message });
  };

  const mms = liveMms(mem);
  const mapped = new Int32Array(mem.frames.count);
  const writable = new Uint8Array(mem.frames.count);
  const swap = swapIfAny(mem);
  const swapped = swap === undefined ? null : new Int32Array(swap.slots);
  for (const mm of mms) checkMm(mem, mm, mapped, writable, swap, swapped, report);
  if (swap !== undefined) checkSwap(swap, swapped!, report);
  checkCowBreaches(mem, mms, mapped, writable, report);
  const inCache = checkPageCaches(mem, report);
  checkFrames(mem, mapped, inCache, report);
  checkRmap(mem, mms, mapped, report);
  checkRmapTrees(mem, mms, report);
  if (dropped > 0) findings.push({ message: `verify: ${dropped} more invariant violation(s) not listed (limit ${limit})` });

  if (findings.length === 0) return [];
  const site = captureSite();
  const out: Violation[] = [];
  for (const f of findings) {
    if (options.record === false) {
      out.push({ kind: 'invariant', message: f.message, task: '-', heldLocks: [], site, ...(f.details === undefined ? {} : { details: f.details }), time: mem.kernel.clock.now });
    } else {
      mem.kernel.recordViolation(null, 'invariant', f.message, f.details, site);
      out.push(mem.kernel.report.violations[mem.kernel.report.violations.length - 1]!);
    }
  }
  return out;
}

type Report = (message: string, pfn?: number) => void;

/** The address spaces of live processes, each once. */
function liveMms(mem: MemoryState): Mm[] {
  const seen = new Set<Mm>();
  for (const p of mem.processes) if (p.mm !== null) seen.add(p.mm);
  return [...seen];
}

/** Every inode the memory knows (the reverse-map owner registry). */
function inodes(mem: MemoryState): Inode[] {
  return mem.inodes();
}

/**
 * Vma ordering, then one pass over the PTE tables counting mappings per frame (and,
 * in `writable`, saturating at 255, the writable entries of private vmas mapping an
 * anonymous frame, for {@link checkCowBreaches}).
 */
function checkMm(mem: MemoryState, mm: Mm, mapped: Int32Array, writable: Uint8Array, swap: SwapDevice | undefined, swapped: Int32Array | null, report: Report): void {
  const vmas = mm.vmas.all();
  let prevEnd = 0;
  for (const vma of vmas) {
    const where = `mm ${mm.id}: vma ${hex(vma.start)}-${hex(vma.end)}`;
    if (!pageAligned(vma.start) || !pageAligned(vma.end)) report(`${where} is not page aligned`);
    if (!(vma.start < vma.end)) report(`${where} is empty or inverted (start >= end)`);
    if (vma.start < 0 || vma.end > TASK_SIZE) report(`${where} is outside user space (0-${hex(TASK_SIZE)})`);
    if (vma.start < prevEnd) report(`${where} overlaps or precedes the previous vma, which ends at ${hex(prevEnd)} (vmas must be sorted and disjoint)`);
    prevEnd = Math.max(prevEnd, vma.end);
    if (vma.mm !== mm) report(`${where} is in mm ${mm.id}'s tree but belongs to mm ${vma.mm.id}`);
    if (vma.file !== null && vma.iMmapNode === null) report(`${where} maps ${vma.file.name} but is not linked into its i_mmap`);
    if (vma.anonVma !== null && !vma.chains.some((c) => c.anonVma === vma.anonVma && c.node !== null)) {
      report(`${where} has anon_vma ${vma.anonVma.id} but no anon_vma_chain links it there`);
    }
  }

  const f = mem.frames;
  const zero = mem.allocator.zeroPfn;
  let v = 0;
  let present = 0;
  for (const table of mm.pageTable.allTables()) {
    let used = 0;
    for (let i = 0; i < PTRS_PER_TABLE; i++) {
      const bits = table.bits[i]!;
      if (bits === 0) continue;
      used++;
      const address = (table.base + i) * PAGE_SIZE;
      const word = table.word[i]!;
      while (v < vmas.length && vmas[v]!.end <= address) v++;
      const vma = v < vmas.length && vmas[v]!.start <= address ? vmas[v]! : undefined;
      if (vma === undefined) {
        report(`PTE outside its VMA: mm ${mm.id} has an entry at ${hex(address)} (word ${word}, ${describePte(bits)}) but no vma covers that address`, (bits & PTE.present) !== 0 ? word : -1);
      }
      if ((bits & PTE.present) === 0) {
        if (isSwapPte(bits)) checkSwapEntry(mm, vma, address, word, swap, swapped, report);
        continue;
      }
      if (vma !== undefined) checkPermission(mem, mm, vma, address, word, bits, report);
      if (word >= f.count) {
        report(`mm ${mm.id}: PTE at ${hex(address)} maps pfn ${word}, beyond the ${f.count} frames of memory`);
        continue;
      }
      if ((bits & PTE.special) !== 0) {
        if (word !== zero) report(`mm ${mm.id}: special PTE at ${hex(address)} maps pfn ${word}, not the zero page (pfn ${zero})`, word);
        if ((bits & PTE.write) !== 0) {
          report(`writable zero page: mm ${mm.id} has a special PTE at ${hex(address)} (pfn ${word}, ${describePte(bits)}) with the write bit: a write would change the page every zero-page mapping reads`);
        }
        continue;
      }
      present++;
      mapped[word]!++;
      if ((f.flags[word]! & PG.free) !== 0) {
        report(`freed frame still mapped (use-after-free): pfn ${word} (generation ${f.generation[word]}) is free but mm ${mm.id} maps it at ${hex(address)}`, word);
      } else if ((bits & PTE.write) !== 0 && vma !== undefined && vma.isPrivate) {
        if ((f.flags[word]! & PG.anon) === 0) {
          report(
            `COW breach: mm ${mm.id} maps pfn ${word} writable at ${hex(address)} in the private vma ${vma.toString()}, but the frame is not anonymous (mapping ${f.mapping[word]}, index ${f.index[word]}, mapcount ${f.mapcount[word]}): a write through it would reach the file's page and every other mapping of it`,
            word,
          );
        } else if (writable[word]! < 255) {
          writable[word]!++;
        }
      }
    }
    if (used !== table.used) {
      report(`mm ${mm.id}: PTE table at ${hex(table.base * PAGE_SIZE)} has ${used} non-none entries but its used count is ${table.used}`);
    }
  }
  if (present !== mm.rss) report(`mm ${mm.id}: rss is ${mm.rss} but ${present} present non-special PTEs map frames`);
}

/** A swap entry names a slot in use and lies in a vma with an anon_vma; counted per slot in `swapped`. */
function checkSwapEntry(mm: Mm, vma: Vma | undefined, address: number, slot: number, swap: SwapDevice | undefined, swapped: Int32Array | null, report: Report): void {
  const where = `mm ${mm.id}: swap entry at ${hex(address)}`;
  if (vma !== undefined && vma.anonVma === null) report(`${where} (slot ${slot}) lies in the vma ${vma.toString()}, which has no anon_vma: swap-in could not map an anonymous page there`);
  if (swap === undefined || swapped === null) {
    report(`${where} names swap slot ${slot}, but the machine has no swap device`);
    return;
  }
  if (slot >= swap.slots) {
    report(`${where} names swap slot ${slot}, beyond the device's ${swap.slots} slots`);
    return;
  }
  if (swap.count[slot] === 0) report(`swap entry names a free slot: ${where} names slot ${slot}, whose count is 0 (the slot may be reused, and swap-in would read another page's content)`);
  swapped[slot]!++;
}

/** Each slot's count equals the swap entries naming it; the free list holds the free slots. */
function checkSwap(swap: SwapDevice, swapped: Int32Array, report: Report): void {
  for (let slot = 0; slot < swap.slots; slot++) {
    const count = swap.count[slot]!;
    const n = swapped[slot]! + (swap.cache.has(slot) ? 1 : 0); // the swap cache holds a use too
    if (count === n) continue;
    if (count === 0) continue; // reported per entry: names a free slot
    report(
      `swap slot ${slot} has count ${count} but ${n} swap entr${n === 1 ? 'y names' : 'ies name'} it${count > n ? ' (a leaked use: the slot is never freed)' : ' (a missing use: the slot would be freed while entries still name it)'}`,
    );
  }
  if (!swap.freeListConsistent()) report(`swap device: its free list does not hold exactly the ${swap.freeCount} slot(s) with count 0`);
}

/** A present entry grants no more than its vma: write needs `VM_WRITE`, user access some of `VM_READ | VM_WRITE | VM_EXEC`. */
function checkPermission(mem: MemoryState, mm: Mm, vma: Vma, address: number, word: number, bits: number, report: Report): void {
  const pfn = word < mem.frames.count && (bits & PTE.special) === 0 ? word : -1;
  if ((bits & PTE.write) !== 0 && (vma.flags & VM.write) === 0) {
    report(`PTE more permissive than its vma: mm ${mm.id} maps pfn ${word} writable at ${hex(address)} (${describePte(bits)}) but the vma ${vma.toString()} (flags ${hex(vma.flags)}) has no VM_WRITE`, pfn);
  }
  if ((bits & PTE.user) !== 0 && (vma.flags & VM_PROT_MASK) === 0) {
    report(`PTE more permissive than its vma: mm ${mm.id} maps pfn ${word} user-accessible at ${hex(address)} (${describePte(bits)}) but the vma ${vma.toString()} (flags ${hex(vma.flags)}) is PROT_NONE (none of VM_READ, VM_WRITE, VM_EXEC)`, pfn);
  }
}

/**
 * An anonymous frame mapped writable by a private vma must be mapped by that one PTE
 * only. O(frames); only if some frame breaks it, one more pass over the PTEs names the
 * (mm, address) of its writable entries.
 */
function checkCowBreaches(mem: MemoryState, mms: readonly Mm[], mapped: Int32Array, writable: Uint8Array, report: Report): void {
  const breached = new Set<number>();
  for (let pfn = 0; pfn < mem.frames.count; pfn++) if (writable[pfn]! > 0 && mapped[pfn] !== 1) breached.add(pfn);
  if (breached.size === 0) return;
  for (const mm of mms) {
    for (const table of mm.pageTable.allTables()) {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const bits = table.bits[i]!;
        if ((bits & (PTE.present | PTE.write | PTE.special)) !== (PTE.present | PTE.write)) continue;
        const pfn = table.word[i]!;
        if (!breached.has(pfn)) continue;
        const address = (table.base + i) * PAGE_SIZE;
        const vma = mm.vmas.lookup(address);
        if (vma === undefined || !vma.isPrivate) continue;
        const n = writable[pfn]!;
        report(
          `COW breach: mm ${mm.id} maps anonymous pfn ${pfn} writable at ${hex(address)} in the private vma ${vma.toString()}, but ${mapped[pfn]} PTE(s) map the frame (${n === 255 ? '255 or more' : n} of them writable; mapcount ${mem.frames.mapcount[pfn]}): a write through it would be seen by the other mappings`,
          pfn,
        );
      }
    }
  }
}

/** Each page-cache entry names a live frame of that inode at that index; returns cache references per frame. */
function checkPageCaches(mem: MemoryState, report: Report): Uint8Array {
  const f = mem.frames;
  const inCache = new Uint8Array(f.count);
  for (const inode of inodes(mem)) {
    for (const [index, pfn] of inode.pageCache) {
      const where = `page ${index} of ${inode.name} (inode ${inode.id})`;
      if (index >= inode.pages) {
        report(`page cache beyond i_size: ${where} is cached in pfn ${pfn}, but i_size is ${inode.size} bytes (${inode.pages} page(s)), so the last index is ${inode.pages - 1}`, f.valid(pfn) ? pfn : -1);
      }
      if (!f.valid(pfn)) {
        report(`${where} is cached in pfn ${pfn}, which is not a frame`);
        continue;
      }
      if ((f.flags[pfn]! & PG.free) !== 0) report(`freed frame still in the page cache: ${where} is pfn ${pfn}, which is free`, pfn);
      else if (f.mapping[pfn] !== inode.id || f.index[pfn] !== index) {
        report(`${where} is pfn ${pfn}, but the frame says it is page ${f.index[pfn]} of mapping ${f.mapping[pfn]}`, pfn);
      }
      if (inCache[pfn]! > 0) report(`pfn ${pfn} is in the page cache more than once (again as ${where})`, pfn);
      inCache[pfn] = Math.min(255, inCache[pfn]! + 1);
    }
  }
  return inCache;
}

/** Per-frame counts against the page tables, the page cache and the free list. */
function checkFrames(mem: MemoryState, mapped: Int32Array, inCache: Uint8Array, report: Report): void {
  const f = mem.frames;
  let free = 0;
  for (let pfn = 0; pfn < f.count; pfn++) {
    const flags = f.flags[pfn]!;
    const ref = f.refcount[pfn]!;
    const map = f.mapcount[pfn]!;
    const pins = f.pincount[pfn]!;
    if ((flags & PG.free) !== 0) {
      free++;
      if (ref !== 0 || map !== 0 || pins !== 0) report(`free pfn ${pfn} has refcount ${ref}, mapcount ${map}, pincount ${pins} (all must be 0)`, pfn);
      if (f.lruNext[pfn] !== -1 || f.lruPrev[pfn] !== -1 || (flags & PG.lru) !== 0) {
        report(`free pfn ${pfn} is still on the LRU (prev ${f.lruPrev[pfn]}, next ${f.lruNext[pfn]}, PG_lru ${(flags & PG.lru) !== 0 ? 1 : 0})`, pfn);
      }
      continue;
    }
    if (map !== mapped[pfn]) report(`pfn ${pfn} has mapcount ${map} but ${mapped[pfn]} PTE(s) map it`, pfn);
    const cache = inCache[pfn]! > 0 ? 1 : 0;
    if (ref <= 0 || ref < map + pins + cache) {
      report(`pfn ${pfn} has refcount ${ref}, below mapcount ${map} + pincount ${pins} + page cache ${cache} = ${map + pins + cache}${ref <= 0 ? ' (and it is not free)' : ''}`, pfn);
    }
    if (pins < 0 || map < 0) report(`pfn ${pfn} has a negative count: mapcount ${map}, pincount ${pins}`, pfn);
    const id = f.mapping[pfn]!;
    if (id === 0) continue;
    const owner = mem.ownerOf(pfn);
    if (owner === undefined) report(`pfn ${pfn} names mapping ${id}, which does not exist`, pfn);
    else if ((flags & PG.anon) !== 0 && !(owner instanceof AnonVma)) report(`anonymous pfn ${pfn} names ${owner.name} (inode ${id}) as its mapping, not an anon_vma`, pfn);
    else if ((flags & PG.anon) === 0 && owner instanceof AnonVma) report(`pfn ${pfn} names anon_vma ${id} as its mapping but is not PageAnon`, pfn);
    else if (owner instanceof Inode && (flags & PG.anon) === 0 && owner.pageCache.get(f.index[pfn]!) !== pfn) {
      const there = owner.pageCache.get(f.index[pfn]!);
      report(`pfn ${pfn} says it is page ${f.index[pfn]} of ${owner.name} (inode ${id}), but that page-cache slot holds ${there === undefined ? 'nothing' : `pfn ${there}`}`, pfn);
    }
  }
  if (free !== mem.allocator.freeCount) report(`${free} frames are flagged free but the allocator's free list holds ${mem.allocator.freeCount}`);
}

/**
 * Every present mapping of an anon or file page is found by the rmap walk, and the walk
 * finds only real mappings of live mms. One walk per mapped frame; only frames whose
 * walk disagrees with the PTE count get a second pass that names the (mm, address).
 */
function checkRmap(mem: MemoryState, mms: readonly Mm[], mapped: Int32Array, report: Report): void {
  const f = mem.frames;
  const live = new Set(mms);
  const suspects = new Map<number, Set<string>>();
  for (let pfn = 0; pfn < f.count; pfn++) {
    const n = mapped[pfn]!;
    if (n === 0 || (f.flags[pfn]! & PG.free) !== 0) continue;
    if (f.mapping[pfn] === 0) {
      report(`rmap cannot find pfn ${pfn}: ${n} PTE(s) map it but it has no anon_vma or inode (mapping 0)`, pfn);
      continue;
    }
    const hits = rmapHits(mem, pfn);
    const keys = new Set<string>();
    for (const h of hits) {
      const key = `${h.vma.mm.id}:${h.address}`;
      if (!live.has(h.vma.mm)) {
        report(`rmap walk of pfn ${pfn} finds it mapped at ${hex(h.address)} in mm ${h.vma.mm.id}, which no live process owns`, pfn);
        continue;
      }
      if (keys.has(key)) report(`rmap walk of pfn ${pfn} yields mm ${h.vma.mm.id} ${hex(h.address)} twice`, pfn);
      keys.add(key);
    }
    if (keys.size !== n) suspects.set(pfn, keys);
  }
  if (suspects.size === 0) return;
  for (const mm of mms) {
    for (const table of mm.pageTable.allTables()) {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const bits = table.bits[i]!;
        if ((bits & (PTE.present | PTE.special)) !== PTE.present) continue;
        const pfn = table.word[i]!;
        const keys = suspects.get(pfn);
        if (keys === undefined) continue;
        const address = (table.base + i) * PAGE_SIZE;
        const key = `${mm.id}:${address}`;
        if (keys.has(key)) keys.delete(key);
        else {
          const vma = mm.vmas.lookup(address);
          report(`rmap walk misses a mapping: pfn ${pfn} (${(f.flags[pfn]! & PG.anon) !== 0 ? 'anon' : 'file'}, index ${f.index[pfn]}, mapping ${f.mapping[pfn]}) is mapped at ${hex(address)} in mm ${mm.id}${vma === undefined ? '' : ` (vma ${vma.toString()})`} but rmap does not find it there`, pfn);
        }
      }
    }
  }
  for (const [pfn, keys] of suspects) {
    for (const key of keys) {
      const [mmId, address] = key.split(':');
      report(`rmap walk of pfn ${pfn} finds it mapped at ${hex(Number(address))} in mm ${mmId}, but no walked page table maps it there`, pfn);
    }
  }
}

/**
 * No reverse map holds a vma that is gone: every vma in a file's `i_mmap`, and in the
 * tree of every anon_vma reachable from a live vma's chains or from an in-use
 * anonymous frame, belongs to a live mm (not torn down, owned by a live process) and
 * is in that mm's vma tree. Each tree is walked once: O(tree sizes).
 */
function checkRmapTrees(mem: MemoryState, mms: readonly Mm[], report: Report): void {
  const live = new Set(mms);
  const check = (vma: Vma, where: string): void => {
    const mm = vma.mm;
    const what = `${where} holds vma ${vma.toString()} of mm ${mm.id}`;
    if (mm.dead || !live.has(mm)) report(`${what}, ${mm.dead ? 'which was torn down (mm dead)' : 'which no live process owns'}: a reverse-map walk would reach a dead address space`);
    else if (mm.vmas.lookup(vma.start) !== vma) report(`${what}, but that vma is not in mm ${mm.id}'s vma tree (detached and left linked)`);
  };
  for (const inode of inodes(mem)) {
    const where = `i_mmap of ${inode.name} (inode ${inode.id})`;
    for (const vma of inode.iMmap.values()) check(vma, where);
  }
  const anonVmas = new Set<AnonVma>();
  for (const mm of mms) for (const vma of mm.vmas.all()) for (const chain of vma.chains) anonVmas.add(chain.anonVma);
  const f = mem.frames;
  for (let pfn = 0; pfn < f.count; pfn++) {
    if ((f.flags[pfn]! & (PG.anon | PG.free)) !== PG.anon) continue;
    const owner = mem.ownerOf(pfn);
    if (owner instanceof AnonVma) anonVmas.add(owner);
  }
  for (const anonVma of anonVmas) {
    const where = `anon_vma ${anonVma.id}'s tree`;
    for (const vma of anonVma.tree.values()) check(vma, where);
  }
}

/**
 * A deterministic digest of the machine's memory state, for "a rejected call leaves
 * the machine unchanged": processes and their mms (rss, users), every vma (range,
 * flags, file, pgoff, anon_vma), every non-none PTE (address, word, bits), every
 * frame's flags, refcount, mapcount, pincount, mapping, index, generation and content
 * word, the free count, every swap slot in use (count and content), and each file's
 * size, page cache and backing store. Identical
 * histories give identical digests; any write (content, or a PTE's young/dirty bit)
 * changes it. Not for hot paths: it builds a text of the whole state.
 */
export function stateDigest(machine: { readonly mem: MemoryState }): string {
  const mem = machine.mem;
  const out: string[] = [`era ${mem.era}`, `free ${mem.allocator.freeCount}`];
  const mms: Mm[] = [];
  for (const p of mem.processes) {
    out.push(`process ${p.pid} ${p.name} mm ${p.mm === null ? '-' : p.mm.id}`);
    if (p.mm !== null && !mms.includes(p.mm)) mms.push(p.mm);
  }
  for (const mm of mms) {
    out.push(`mm ${mm.id} rss ${mm.rss} users ${mm.users} dead ${mm.dead ? 1 : 0}`);
    for (const vma of mm.vmas.all()) {
      out.push(`vma ${vma.start} ${vma.end} ${vma.flags} ${vma.file === null ? '-' : vma.file.id} ${vma.pgoff} ${vma.anonVma === null ? '-' : vma.anonVma.id}`);
    }
    for (const table of mm.pageTable.allTables()) {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const bits = table.bits[i]!;
        if (bits !== 0) out.push(`pte ${table.base + i} ${table.word[i]} ${bits}`);
      }
    }
  }
  const f = mem.frames;
  for (let pfn = 0; pfn < f.count; pfn++) {
    out.push(`${f.flags[pfn]} ${f.refcount[pfn]} ${f.mapcount[pfn]} ${f.pincount[pfn]} ${f.mapping[pfn]} ${f.index[pfn]} ${f.generation[pfn]} ${f.content[pfn]}`);
  }
  const swap = swapIfAny(mem);
  if (swap !== undefined) {
    for (let slot = 0; slot < swap.slots; slot++) if (swap.count[slot] !== 0) out.push(`swap ${slot} ${swap.count[slot]} ${swap.content[slot]}`);
  }
  for (const inode of inodes(mem)) {
    const cache = [...inode.pageCache].sort((a, b) => a[0] - b[0]);
    const backing = [...inode.backing].sort((a, b) => a[0] - b[0]);
    out.push(`inode ${inode.id} ${inode.name} ${inode.size} cache ${cache.join(' ')} backing ${backing.join(' ')}`);
  }
  return digest(out.join('\n'));
}
