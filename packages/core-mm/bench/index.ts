/**
 * core-mm benchmarks: one JSON object per line, `{"name", "unit", "value"}` plus
 * detail fields. Names are stable; later steps add theirs in the same format.
 * Each tinybench call does a batch of operations so timer resolution does not
 * dominate; the rate is batch / mean call latency. After the model's benches,
 * bench/kernel.ts runs the same memory operations on the real kernel
 * (bench/kernel-ref.c) alternating with the model's, sample by sample, and prints
 * `kernel.*` and `ratio.*` lines.
 */
import { Bench } from 'tinybench';
import { BitLock, configureSwap, isPromise, MAP, Machine, migratePage, Mutex, pageReferenced, PROT, RwSemaphore, shrinkPage, SpinLock, type Task } from '../src/index.js';
import { fork } from '../src/mm/fork.js';
import { madvise } from '../src/mm/madvise.js';
import { mprotect } from '../src/mm/mprotect.js';
import { verify } from '../src/mm/verify.js';
import { runKernelInterleaved, type BenchLine } from './kernel.js';

interface Rate {
  name: string;
  unit: string;
  batch: number;
  fn: () => unknown;
  note: string;
  /** Untimed set-up and tear-down around each timed call. */
  beforeEach?: () => void;
  afterEach?: () => void;
  /** The machine a memory bench ran on: `verify` must be quiet on it afterwards. */
  machine?: Machine;
}

const BATCH = 10_000;

function direct(): Rate[] {
  const m = new Machine();
  const t = m.task('cpu0');
  const spin = new SpinLock(m, 'ptl');
  const outer = new SpinLock(m, 'mmu_lock');
  const mutex = new Mutex(m, 'mmap_lock');
  const rwsem = new RwSemaphore(m, 'i_mmap_rwsem');
  const flags = new Uint32Array(1024);
  const page = new BitLock(m, 'PG_locked', flags, 0);
  return [
    {
      name: 'lock.spin.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'spin_lock + spin_unlock pairs, direct task, fifo (lockdep and preempt count included)',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void spin.lock(t);
          void spin.unlock(t);
        }
      },
    },
    {
      name: 'lock.spin.nested',
      unit: 'ops/s',
      batch: BATCH,
      note: 'mmu_lock then ptl, both released: one lockdep edge lookup per pair',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void outer.lock(t);
          void spin.lock(t);
          void spin.unlock(t);
          void outer.unlock(t);
        }
      },
    },
    {
      name: 'lock.mutex.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'mutex_lock + mutex_unlock pairs (might-sleep checked), direct task, fifo',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void mutex.lock(t);
          void mutex.unlock(t);
        }
      },
    },
    {
      name: 'lock.rwsem.read.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'down_read + up_read pairs, direct task, fifo',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void rwsem.downRead(t);
          void rwsem.upRead(t);
        }
      },
    },
    {
      name: 'lock.page.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'lock_page + unlock_page pairs over 1024 frames, direct task, fifo',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void page.lock(t, i & 1023);
          void page.unlock(t, i & 1023);
        }
      },
    },
  ];
}

const SWITCH_YIELDS = 2_000;

/** Two tasks yielding under `random` (yield class only): the seed fixes the switch count. */
function switching(): Rate {
  const once = async (): Promise<number> => {
    const m = new Machine({ seed: 42, schedule: { strategy: 'random', preempt: ['yield'] } });
    for (const name of ['cpu0', 'cpu1']) {
      m.sched.spawn(name, async (t) => {
        for (let i = 0; i < SWITCH_YIELDS; i++) await m.sched.yield(t);
      });
    }
    return (await m.sched.run()).switches;
  };
  let switches = 0;
  return {
    name: 'sched.switch',
    unit: 'ops/s',
    get batch() {
      return switches;
    },
    note: `scheduled context switches: 2 tasks x ${SWITCH_YIELDS} yields under random (seed 42)`,
    fn: async () => {
      switches = await once();
    },
  };
}

/** Pages per batch of the memory benches (32 MiB), the same in the kernel reference. */
const PAGES = 8192;
const P = 4096;
const RW = PROT.read | PROT.write;
const ANON = MAP.private | MAP.anonymous;

/** The model's process face is sync on a direct task under fifo; a Promise here is a bench bug. */
function sync<T>(x: T | Promise<T>): T {
  if (isPromise(x)) throw new Error('a memory operation suspended in a benchmark that cannot block');
  return x;
}

/** A v6 machine with 256 MiB of frames and one process. */
function machine(): { m: Machine; t: Task } {
  const m = new Machine({ memory: { frames: 1 << 16 } });
  return { m, t: m.mem.createProcess('bench').task('cpu0') };
}

/** The frames mapped at the PAGES pages from `a`. */
function mappedPfns(t: Task, a: number): number[] {
  const pfns: number[] = [];
  for (let k = 0; k < PAGES; k++) {
    const vpn = Math.floor((a + k * P) / P);
    pfns.push(t.mm!.pageTable.lookup(vpn)!.word[vpn % 512]!);
  }
  return pfns;
}

function populate(m: Machine, t: Task, a: number): void {
  for (let k = 0; k < PAGES; k++) sync(m.mem.write(t, a + k * P, k + 1));
}

/**
 * The primary MMU through the process face, with all its bookkeeping (rmap, frame
 * history, rss, locks with lockdep, PTE events' checks): each timed call is one
 * batch of PAGES pages; set-up and tear-down are untimed.
 */
function memory(): Rate[] {
  const rates: Rate[] = [];
  {
    const { m, t } = machine();
    let a = 0;
    rates.push({
      name: 'fault.anon-write',
      unit: 'ops/s',
      machine: m,
      batch: PAGES,
      note: `write faults on fresh private anonymous pages (zeroed frame, anon rmap, PTE), ${PAGES} per call; mmap/munmap untimed`,
      beforeEach: () => void (a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }))),
      fn: () => {
        for (let k = 0; k < PAGES; k++) sync(m.mem.write(t, a + k * P, k + 1));
      },
      afterEach: () => sync(m.mem.munmap(t, a, PAGES * P)),
    });
  }
  {
    const { m, t } = machine();
    let a = 0;
    let sum = 0;
    rates.push({
      name: 'fault.anon-read',
      unit: 'ops/s',
      machine: m,
      batch: PAGES,
      note: `read faults on fresh private anonymous pages, each mapping the zero page, ${PAGES} per call; mmap/munmap untimed`,
      beforeEach: () => void (a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }))),
      fn: () => {
        for (let k = 0; k < PAGES; k++) sum += sync(m.mem.read(t, a + k * P));
        return sum;
      },
      afterEach: () => sync(m.mem.munmap(t, a, PAGES * P)),
    });
  }
  {
    const { m, t } = machine();
    let a = 0;
    rates.push({
      name: 'zap.munmap',
      unit: 'PTEs/s',
      machine: m,
      batch: PAGES,
      note: `munmap of ${PAGES} populated anonymous pages (vma detach, UNMAP range, zap, rmap, free); mmap and population untimed`,
      beforeEach: () => {
        a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }));
        populate(m, t, a);
      },
      fn: () => sync(m.mem.munmap(t, a, PAGES * P)),
    });
  }
  {
    const { m, t } = machine();
    const a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }));
    rates.push({
      name: 'zap.madv-dontneed',
      unit: 'PTEs/s',
      machine: m,
      batch: PAGES,
      note: `madvise(MADV_DONTNEED) over ${PAGES} populated anonymous pages (CLEAR range, zap, rmap, free); population untimed`,
      beforeEach: () => populate(m, t, a),
      fn: () => sync(madvise(m.mem, t, a, PAGES * P, 'dontneed')),
    });
  }
  {
    const { m, t } = machine();
    const a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }));
    populate(m, t, a);
    rates.push({
      name: 'mprotect.pte',
      unit: 'PTEs/s',
      machine: m,
      batch: 2 * PAGES,
      note: `mprotect PROT_READ then PROT_READ|PROT_WRITE over ${PAGES} populated anonymous pages: ${2 * PAGES} PTEs walked per call, ${PAGES} write-protected and made writable again on the way back (exclusive anonymous PTEs, as the kernel does); every page re-dirtied by untimed writes before each call`,
      beforeEach: () => populate(m, t, a),
      fn: () => {
        sync(mprotect(m.mem, t, a, PAGES * P, PROT.read));
        sync(mprotect(m.mem, t, a, PAGES * P, RW));
      },
    });
  }
  {
    const { m, t } = machine();
    const a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }));
    populate(m, t, a);
    let child: Task | null = null;
    rates.push({
      name: 'fork',
      unit: 'pages/s',
      machine: m,
      batch: PAGES,
      note: `fork of a process with ${PAGES} populated private anonymous pages (dup vmas, anon_vma fork, copy and write-protect PTEs, mapcount/refcount); the child's exit is untimed`,
      fn: () => void (child = sync(fork(m.mem, t, 'child')).task()),
      afterEach: () => {
        if (child !== null) sync(m.mem.exit(child));
        child = null;
      },
    });
  }
  return rates;
}

/**
 * Reclaim: one pass per page through `shrinkPage` (`shrink_page_list`), PAGES pages per
 * call. The pages were used and then aged once (untimed), so the timed pass unmaps and
 * frees each: the rmap walk under the rmap and PT locks, the era's notifier calls (no
 * port attached), page-cache removal and the free.
 */
function reclaim(): Rate[] {
  const rates: Rate[] = [];
  {
    const { m, t } = machine();
    const kswapd = m.task('kswapd');
    let a = 0;
    let pfns: number[] = [];
    let file = m.mem.createFile('bench', PAGES * P);
    rates.push({
      name: 'reclaim.file-drop',
      unit: 'pages/s',
      machine: m,
      batch: PAGES,
      note: `clean file pages, mapped once, unmapped and dropped from the page cache by a reclaim pass, ${PAGES} per call; mapping, reads and aging untimed`,
      beforeEach: () => {
        file = m.mem.createFile('bench', PAGES * P);
        a = sync(m.mem.mmap(t, { length: PAGES * P, prot: PROT.read, flags: MAP.shared, file }));
        for (let k = 0; k < PAGES; k++) sync(m.mem.read(t, a + k * P));
        pfns = [...file.pageCache.values()];
        for (const pfn of pfns) sync(pageReferenced(m.mem, kswapd, pfn)); // the pages go idle
      },
      fn: () => {
        for (const pfn of pfns) if (sync(shrinkPage(m.mem, kswapd, pfn)) !== 'freed') throw new Error('reclaim.file-drop: a page was not freed');
      },
      afterEach: () => sync(m.mem.munmap(t, a, PAGES * P)),
    });
  }
  {
    const { m, t } = machine();
    configureSwap(m.mem, 2 * PAGES);
    const kswapd = m.task('kswapd');
    let a = 0;
    let pfns: number[] = [];
    rates.push({
      name: 'reclaim.anon-swap',
      unit: 'pages/s',
      machine: m,
      batch: PAGES,
      note: `private anonymous pages swapped out by a reclaim pass (rmap walk, swap slot, swap entry, free), ${PAGES} per call; population and aging untimed`,
      beforeEach: () => {
        a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }));
        populate(m, t, a);
        pfns = mappedPfns(t, a);
        for (const pfn of pfns) sync(pageReferenced(m.mem, kswapd, pfn)); // the pages go idle
      },
      fn: () => {
        for (const pfn of pfns) if (sync(shrinkPage(m.mem, kswapd, pfn)) !== 'freed') throw new Error('reclaim.anon-swap: a page was not swapped out');
      },
      afterEach: () => sync(m.mem.munmap(t, a, PAGES * P)),
    });
  }
  {
    const { m, t } = machine();
    let a = 0;
    let pfns: number[] = [];
    rates.push({
      name: 'migrate',
      unit: 'pages/s',
      machine: m,
      batch: PAGES,
      note: `private anonymous pages moved to new frames through migration entries (lock, unmap to entries, copy, remap), ${PAGES} per call; population untimed`,
      beforeEach: () => {
        a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: ANON }));
        populate(m, t, a);
        pfns = mappedPfns(t, a);
      },
      fn: () => {
        for (const pfn of pfns) sync(migratePage(m.mem, t, pfn));
      },
      afterEach: () => sync(m.mem.munmap(t, a, PAGES * P)),
    });
  }
  {
    const { m, t } = machine();
    let a = 0;
    let file = m.mem.createFile('bench-wb', PAGES * P);
    rates.push({
      name: 'writeback',
      unit: 'pages/s',
      machine: m,
      batch: PAGES,
      note: `dirty shared file pages written back (page lock, page_mkclean over the mapping, store to the backing store, clean event check), ${PAGES} per call; dirtying untimed`,
      beforeEach: () => {
        file = m.mem.createFile('bench-wb', PAGES * P);
        a = sync(m.mem.mmap(t, { length: PAGES * P, prot: RW, flags: MAP.shared, file }));
        for (let k = 0; k < PAGES; k++) sync(m.mem.write(t, a + k * P, k + 1));
      },
      fn: () => {
        if (sync(m.mem.fsync(t, file)) !== PAGES) throw new Error('writeback: not every page was written');
      },
      afterEach: () => {
        sync(m.mem.munmap(t, a, PAGES * P));
        sync(m.mem.ftruncate(t, file, 0)); // free the page cache for the next call
      },
    });
  }
  return rates;
}

/** After a memory bench: the machine's invariants, checked (untimed) so no bookkeeping was skipped. */
function invariants(r: Rate): { verify?: string } {
  if (r.machine === undefined) return {};
  const found = verify(r.machine, { record: false });
  if (found.length > 0) console.error(`${r.name}: verify found ${found.length} violation(s); first: ${found[0]!.message}`);
  return { verify: found.length === 0 ? 'ok' : `${found.length} violation(s)` };
}

/** Per-call rates over the samples: the slowest call, the median call and the fastest (the value is the mean's). */
function spread(batch: number, latency: { min: number; p50: number; max: number }): { min: number; median: number; max: number } {
  return { min: Math.round(batch / (latency.max / 1000)), median: Math.round(batch / (latency.p50 / 1000)), max: Math.round(batch / (latency.min / 1000)) };
}

async function main(): Promise<void> {
  const measure = async (rates: Rate[], bench: Bench): Promise<void> => {
    for (const r of rates) {
      bench.add(r.name, r.fn, { ...(r.beforeEach ? { beforeEach: r.beforeEach } : {}), ...(r.afterEach ? { afterEach: r.afterEach } : {}) });
    }
    await bench.run();
    for (const r of rates) {
      const task = bench.getTask(r.name);
      const result = task?.result;
      if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${r.name} produced no result`);
      const value = Math.round(r.batch / (result.latency.mean / 1000));
      const line: BenchLine = { name: r.name, unit: r.unit, value, samples: result.latency.samplesCount, spread: spread(r.batch, result.latency), note: r.note, ...invariants(r) };
      console.log(JSON.stringify(line));
    }
  };
  await measure([...direct(), switching()], new Bench({ time: 400, warmup: true, warmupTime: 100 }));
  // Memory batches take milliseconds each: fewer minimum iterations, the same 400 ms.
  const mm = memory();
  await measure([...mm, ...reclaim()], new Bench({ time: 400, iterations: 8, warmup: true, warmupTime: 100, warmupIterations: 2 }));
  // The same machines go on, in pairs with the kernel; verify after the rounds too.
  runKernelInterleaved(
    mm.map((r) => ({ ...r, check: () => invariants(r).verify ?? 'ok' })),
    { pages: PAGES, minMs: 200, rounds: 5 },
  );
}

await main();
