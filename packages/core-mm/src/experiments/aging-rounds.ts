import { Machine } from '../machine.js';
import type { Task } from '../kernel/sched/task.js';
import type { Era } from '../mm/era.js';
import { MAP, PROT } from '../mm/mmap.js';
import type { Mm, SecondaryMmuPort } from '../mm/mm-types.js';
import type { AgingCombiner } from '../mm/page-referenced.js';
import { SmmuError } from '../kernel/errors.js';
import { PG } from '../mm/frames.js';
import { shrinkActivePage } from '../mm/shrink-active.js';
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
  /**
   * `'global'` (default): kswapd-like reclaim, every mapping aged. `'memcg'`: reclaim
   * for the cgroup the page is charged to, while its N mappings live in mms of another
   * cgroup (2.6.25+: `v2.6.27` and `v6`; EINVAL in `rfc-2008`).
   */
  readonly reclaim?: 'global' | 'memcg';
  /** Give up after this many passes (default 100). */
  readonly maxRounds?: number;
}

/** What {@link agingRounds} measured. */
export interface AgingRoundsResult {
  /** Passes until the page was freed (the pass that freed it included): `inactive + active`. */
  readonly rounds: number;
  /** Passes through `shrink_page_list` (the inactive list). */
  readonly inactive: number;
  /** Passes through `shrink_active_list` (the active list). */
  readonly active: number;
  readonly freed: boolean;
  /** Each pass's verdict: `shrinkPage`'s on the inactive list, `shrinkActivePage`'s on the active one. */
  readonly verdicts: readonly string[];
}

/** The cgroup that reclaims in `reclaim: 'memcg'` (the page is charged to it) and the one the N mappers live in. */
const RECLAIMING_CGROUP = 1;
const MAPPERS_CGROUP = 2;

/**
 * The seed thread's claim as an experiment. One clean file page is mapped by `mappings`
 * processes, each with a secondary MMU holding an accessed bit for it; the page is used
 * (a CPU read through every mapping sets each primary young bit, a device access sets
 * each secondary bit), then goes idle. It starts on the inactive list with
 * `PG_referenced` clear (where a file page read from disk starts), swap being
 * irrelevant to a clean file page and `reclaim_mapped` set (see `shrinkActivePage`).
 *
 * Then the page follows the LRU until it is freed: on the inactive list a pass is
 * {@link shrinkPage} (`page_referenced()`, then `try_to_unmap()` and the drop from the
 * page cache if nothing was young); on the active list it is
 * {@link shrinkActivePage}, the same aging `Reclaim` runs. Passes are counted per
 * list. With `reclaim: 'memcg'` both go through the mappings only of mms in the
 * reclaiming cgroup — none here — while `try_to_unmap()` checks them all.
 */
export async function agingRounds(options: AgingRoundsOptions): Promise<AgingRoundsResult> {
  const n = options.mappings;
  const era = options.era ?? 'v2.6.27';
  const scope = options.reclaim ?? 'global';
  if (!Number.isSafeInteger(n) || n < 1) throw new SmmuError('EINVAL', `agingRounds: mappings ${String(n)} must be a positive integer`);
  if (scope !== 'global' && scope !== 'memcg') throw new SmmuError('EINVAL', `agingRounds: reclaim "${String(scope)}" is not 'global' or 'memcg'`);
  if (scope === 'memcg' && era === 'rfc-2008') throw new SmmuError('EINVAL', 'agingRounds: rfc-2008 has no memcg-scoped reclaim (memory cgroups came in 2.6.25)');
  const m = new Machine({ era, memory: { frames: 64 + n } });
  const mem = m.mem;
  const file = mem.createFile('aged', 4096);
  const port = new YoungBitPort();
  for (let k = 0; k < n; k++) {
    const t = mem.createProcess(`p${k}`).task(`p${k}`);
    t.mm!.memcg = MAPPERS_CGROUP;
    const a = await settle(mem.mmap(t, { length: 4096, prot: PROT.read, flags: MAP.shared, file }));
    await settle(mem.read(t, a)); // the CPU uses it: primary young
    t.mm!.secondary = port;
    port.touch(t.mm!, a); // the device uses it: secondary young
  }
  const pfn = file.pageCache.get(0)!;
  mem.lru.move(pfn, false);
  mem.frames.flags[pfn] = mem.frames.flags[pfn]! & ~PG.referenced;
  const memcg = scope === 'memcg' ? RECLAIMING_CGROUP : undefined;
  const reclaimer = m.task('kswapd');
  const verdicts: string[] = [];
  let inactive = 0;
  let active = 0;
  const max = options.maxRounds ?? 100;
  while (verdicts.length < max) {
    if ((mem.frames.flags[pfn] & PG.active) !== 0) {
      active++;
      verdicts.push(await settle(shrinkActivePage(mem, reclaimer, pfn, { combiner: options.combiner, ...(memcg === undefined ? {} : { memcg }) })));
      continue;
    }
    inactive++;
    const verdict = await settle(shrinkPage(mem, reclaimer, pfn, { combiner: options.combiner, ...(memcg === undefined ? {} : { memcg }) }));
    verdicts.push(verdict);
    if (verdict === 'freed') return { rounds: verdicts.length, inactive, active, freed: true, verdicts };
  }
  return { rounds: verdicts.length, inactive, active, freed: false, verdicts };
}

async function settle<T>(x: T | Promise<T>): Promise<T> {
  return x instanceof Promise ? await x : x;
}
