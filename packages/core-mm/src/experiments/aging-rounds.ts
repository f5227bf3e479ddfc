import { Machine } from '../machine.js';
import type { Task } from '../kernel/sched/task.js';
import type { Era } from '../mm/era.js';
import { MAP, PROT } from '../mm/mmap.js';
import type { Mm, SecondaryMmuPort } from '../mm/mm-types.js';
import type { AgingCombiner } from '../mm/page-referenced.js';
import { shrinkPage } from '../mm/vmscan.js';

/**
 * A secondary MMU with nothing but accessed bits, one per (mm, address): what the
 * aging experiment needs. `touch` is a device access; `clearFlushYoung` tests and
 * clears. It holds no pages, so it needs no invalidation.
 */
export class YoungBitPort implements SecondaryMmuPort {
  private readonly young = new Set<string>();

  /** The device accessed `address` of `mm`. */
  touch(mm: Mm, address: number): void {
    this.young.add(`${mm.id}:${address}`);
  }

  /** Whether the bit is set (without clearing it). */
  isYoung(mm: Mm, address: number): boolean {
    return this.young.has(`${mm.id}:${address}`);
  }

  clearFlushYoung(_task: Task, mm: Mm, start: number, end: number): boolean {
    let any = false;
    for (let address = start; address < end; address += 4096) any = this.young.delete(`${mm.id}:${address}`) || any;
    return any;
  }

  release(): void {}
  invalidateRangeStart(): number {
    return 0;
  }
  invalidateRangeEnd(): void {}
  invalidatePage(): void {}
  archInvalidateSecondaryTlbs(): void {}
}

/** Options of {@link agingRounds}. */
export interface AgingRoundsOptions {
  /** Mappings of the page (N): one process each. */
  readonly mappings: number;
  readonly combiner: AgingCombiner;
  /** Default `v2.6.27`, the era whose walk the seed thread discussed. */
  readonly era?: Era;
  /** The reclaim pass (see {@link ShrinkOptions.walk}); default `'shrink-page-list'`. */
  readonly walk?: 'shrink-page-list' | 'try-to-unmap';
  /** Give up after this many rounds (default 100). */
  readonly maxRounds?: number;
}

/** What {@link agingRounds} measured. */
export interface AgingRoundsResult {
  /** Rounds until the page was freed (the round that freed it included). */
  readonly rounds: number;
  readonly freed: boolean;
  /** Each round's verdict. */
  readonly verdicts: readonly string[];
}

/**
 * The seed thread's claim as an experiment. One clean file page is mapped by `mappings`
 * processes, each with a secondary MMU holding an accessed bit for it; the page is used
 * (a CPU read through every mapping sets each primary young bit, a device access sets
 * each secondary bit), then goes idle. A **round** is one pass of the page through
 * reclaim ({@link shrinkPage}): `page_referenced()` — or, with `walk: 'try-to-unmap'`,
 * only `try_to_unmap()`'s young check — and, if nothing was young, the unmap and the
 * drop from the page cache. A referenced page is activated and comes back for the next
 * round at once (activation and deactivation cost no rounds: the experiment counts
 * passes through the reclaim decision, not LRU movement). Count rounds until freed.
 */
export async function agingRounds(options: AgingRoundsOptions): Promise<AgingRoundsResult> {
  const n = options.mappings;
  const m = new Machine({ era: options.era ?? 'v2.6.27', memory: { frames: 64 + n } });
  const mem = m.mem;
  const file = mem.createFile('aged', 4096);
  const port = new YoungBitPort();
  for (let k = 0; k < n; k++) {
    const t = mem.createProcess(`p${k}`).task(`p${k}`);
    const a = await settle(mem.mmap(t, { length: 4096, prot: PROT.read, flags: MAP.shared, file }));
    await settle(mem.read(t, a)); // the CPU uses it: primary young
    t.mm!.secondary = port;
    port.touch(t.mm!, a); // the device uses it: secondary young
  }
  const pfn = file.pageCache.get(0)!;
  const reclaimer = m.task('kswapd');
  const verdicts: string[] = [];
  const max = options.maxRounds ?? 100;
  while (verdicts.length < max) {
    const verdict = await settle(shrinkPage(mem, reclaimer, pfn, { combiner: options.combiner, walk: options.walk ?? 'shrink-page-list' }));
    verdicts.push(verdict);
    if (verdict === 'freed') return { rounds: verdicts.length, freed: true, verdicts };
  }
  return { rounds: verdicts.length, freed: false, verdicts };
}

async function settle<T>(x: T | Promise<T>): Promise<T> {
  return x instanceof Promise ? await x : x;
}
