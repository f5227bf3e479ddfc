import {
  compact,
  configureSwap,
  getUserPages,
  LockdepMap,
  Machine,
  MAP,
  movePages,
  MREMAP,
  PROT,
  putPage,
  Reclaim,
  shrinkPage,
  type Era,
  type MmuNotifierRange,
  type ScanVerdict,
  type Task,
} from '../../src/index.js';
import { ANON, P, pteOf, RW, underMmapRead, v } from './mm-helpers.js';
import { RecordingPort } from './recording-port.js';

/**
 * The recording port, holding in `v6` the notifier core's lockdep map
 * `mmu_notifier_invalidate_range_start` around each range callback as
 * `__mmu_notifier_invalidate_range_start/end` hold it: lockdep then learns every lock
 * core-mm holds where a range begins or ends, which places the map in the order
 * without the notifier package. (Its other classes are read sides, which order nothing
 * by themselves, or taken only at registration.)
 */
export class StartMapPort extends RecordingPort {
  private readonly startMap: LockdepMap | null;

  constructor(m: Machine) {
    super();
    this.startMap = m.era === 'v6' ? new LockdepMap(m, 'mmu_notifier_invalidate_range_start') : null;
  }

  override invalidateRangeStart(task: Task, range: MmuNotifierRange): number {
    this.startMap?.acquire(task);
    try {
      return super.invalidateRangeStart(task, range);
    } finally {
      this.startMap?.release(task);
    }
  }

  override invalidateRangeEnd(task: Task, range: MmuNotifierRange): void {
    this.startMap?.acquire(task);
    try {
      super.invalidateRangeEnd(task, range);
    } finally {
      this.startMap?.release(task);
    }
  }
}

/** What {@link lockOrderWorkload} leaves behind for the test to inspect. */
export interface LockOrderRun {
  readonly m: Machine;
  readonly port: StartMapPort;
  readonly reclaim: Reclaim;
  /** What the paths did, so a test can tell that the workload still reaches them. */
  readonly outcomes: {
    /** Two reclaim passes over an anonymous page mapped by parent and child: swapped out. */
    readonly swapOut: ScanVerdict[];
    /** Two reclaim passes (allowed to write) over a dirty shared file page: written and freed. */
    readonly pageout: ScanVerdict[];
    /** Pages written back by fsync and sync. */
    readonly written: number;
    /** move_pages' answers and the pages compaction moved. */
    readonly moved: (number | string)[];
    readonly compacted: number;
  };
}

/**
 * One machine of `era` put through every path of the model that takes more than one
 * lock, each process with a recording secondary-MMU port attached (so every notifier
 * call site is reached), on direct tasks one after another: lockdep records an order
 * per task, so what matters is which paths run, not how they interleave. Memory is
 * small and reclaim is installed, so faults late in the run go through direct reclaim
 * (an allocation under `mmap_lock`), and one of them through the OOM killer.
 */
export async function lockOrderWorkload(era: Era): Promise<LockOrderRun> {
  const m = new Machine({ era, memory: { frames: 48 } });
  configureSwap(m.mem, 12);
  const reclaim = new Reclaim(m.mem, { low: 2, high: 4 });
  const port = new StartMapPort(m);
  const app = m.mem.createProcess('app');
  const t = app.task('app');
  t.mm!.secondary = port;

  // Faults: anonymous (read of the zero page, then write), file (shared, and private: COW of a cache page).
  const anon = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
  await v(m.mem.read(t, anon));
  for (let i = 0; i < 4; i++) await v(m.mem.write(t, anon + i * P, 10 + i));
  const file = m.mem.createFile('f', 4 * P);
  for (let i = 0; i < 4; i++) file.backing.set(i, 100 + i);
  const shared = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
  await v(m.mem.read(t, shared));
  await v(m.mem.write(t, shared + P, 201));
  const priv = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.private, file }));
  await v(m.mem.read(t, priv));
  await v(m.mem.write(t, priv, 301));
  await v(m.mem.write(t, priv + P, 302));

  // fork, then COW on both sides; the child maps the file too.
  const child = await v(m.mem.fork(t, 'child'));
  const ct = child.task('child');
  ct.mm!.secondary = port;
  await v(m.mem.write(ct, anon, 20));
  await v(m.mem.write(t, anon + P, 21));
  await v(m.mem.read(ct, shared + P));

  // mprotect (down, then a write-protect fault after up), madvise, munmap, mlock.
  await v(m.mem.mprotect(t, anon, 2 * P, PROT.read));
  await v(m.mem.mprotect(t, anon, 2 * P, RW));
  await v(m.mem.write(t, anon, 22));
  await v(m.mem.madvise(t, anon + 3 * P, P, 'dontneed'));
  await v(m.mem.mlock(t, anon, 2 * P));
  await v(m.mem.munlock(t, anon, 2 * P));
  await v(m.mem.munmap(ct, priv, 2 * P));
  // mremap in the child: a file mapping moved (i_mmap lock, both PT locks), an anonymous one grown by moving.
  const movingFile = await v(m.mem.mmap(ct, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
  await v(m.mem.write(ct, movingFile, 203));
  await v(m.mem.mremap(ct, movingFile, 2 * P, 2 * P, MREMAP.maymove | MREMAP.fixed, movingFile + 64 * P));
  const movingAnon = await v(m.mem.mmap(ct, { length: 2 * P, prot: RW, flags: ANON }));
  await v(m.mem.write(ct, movingAnon, 23));
  await v(m.mem.mremap(ct, movingAnon, 2 * P, 8 * P, MREMAP.maymove));

  // get_user_pages (a driver's pin) under mmap_lock.
  const pinned = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, anon, 2, { write: true }));
  for (const pfn of pinned) putPage(m.mem, t, pfn);

  // File I/O: pwrite, writeback (page_mkclean), sync.
  await v(m.mem.pwrite(t, file, 2 * P, [401, 402]));
  await v(m.mem.write(t, shared, 202));
  let written = await v(m.mem.fsync(t, file));
  await v(m.mem.write(t, shared + 2 * P, 403));
  written += await v(m.mem.sync(t));

  // Reclaim of single pages: swap-out of an anonymous page (then swap-in by a read and
  // by a write), pageout of a dirty shared file page.
  const kswapd = m.task('kswapd');
  const anonPfn = pteOf(t, anon + 2 * P).pfn;
  const swapOut = [await v(shrinkPage(m.mem, kswapd, anonPfn)), await v(shrinkPage(m.mem, kswapd, anonPfn))];
  await v(m.mem.read(t, anon + 2 * P));
  const sharedAnonPfn = pteOf(ct, anon + P).pfn;
  await v(shrinkPage(m.mem, kswapd, sharedAnonPfn));
  await v(shrinkPage(m.mem, kswapd, sharedAnonPfn));
  await v(m.mem.write(ct, anon + P, 23));
  await v(m.mem.write(t, shared + 3 * P, 404));
  const dirtyPfn = file.pageCache.get(3)!;
  const pageout = [await v(shrinkPage(m.mem, kswapd, dirtyPfn, { writePage: true })), await v(shrinkPage(m.mem, kswapd, dirtyPfn, { writePage: true }))];
  // A whole reclaim pass (LRU scan, aging, the active list).
  await v(reclaim.shrink(kswapd, m.mem.allocator.freeCount + 4));

  // Migration: move_pages of anonymous and file pages, and compaction.
  await v(m.mem.read(t, shared));
  const moved = await v(movePages(m.mem, t, t.mm!, [anon, anon + P, shared]));
  const compacted = await v(compact(m.mem, m.task('kcompactd'), 4));

  // Truncate and hole punch of a mapped file.
  await v(m.mem.read(ct, shared + 3 * P));
  await v(m.mem.punchHole(t, file, P, P));
  await v(m.mem.ftruncate(t, file, 2 * P));

  // exit of the child.
  await v(m.mem.exit(ct));

  // Memory pressure: a hog mlocks what it touches, the app keeps allocating; direct
  // reclaim from its faults swaps, then nothing is left to free but the hog: OOM kill.
  const hog = m.mem.createProcess('hog').task('hog');
  hog.mm!.secondary = port;
  const h = await v(m.mem.mmap(hog, { length: 24 * P, prot: RW, flags: ANON }));
  await v(m.mem.mlock(hog, h, 24 * P));
  const more = await v(m.mem.mmap(t, { length: 32 * P, prot: RW, flags: ANON }));
  for (let i = 0; i < 32; i++) await v(m.mem.write(t, more + i * P, 500 + i));
  for (let i = 0; i < 32; i++) await v(m.mem.read(t, more + i * P));

  await v(m.mem.exit(t));
  return { m, port, reclaim, outcomes: { swapOut, pageout, written, moved, compacted } };
}
