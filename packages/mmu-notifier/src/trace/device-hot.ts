import type { DeviceAccessRecord, ScanRecord, TraceData } from './records.js';

/**
 * A *device-hot eviction* (docs/memory-model.md, the observation face), defined once for every
 * driver: reclaim freed a page (a `scan` with verdict `'freed'`) although a device
 * accessed that very page — same pfn and generation — since the previous scan of it
 * (or since it was allocated, or since the trace began if that was later). The
 * usual cause is a secondary whose accesses never reach `page_referenced()`: no
 * aging callbacks (GRU), or aging answered wrongly.
 *
 * Kernel counterpart: none. The kernel cannot see device accesses; the nearest signal
 * is a refault of the page (workingset) right after reclaim.
 */
export interface DeviceHotEviction {
  readonly pfn: number;
  readonly generation: number;
  /** Virtual time of the freeing scan (ns). */
  readonly time: number;
  /** The freeing scan. */
  readonly scan: ScanRecord;
  /** The scan of the same page before it, or null (none since allocation, or since the trace began). */
  readonly previousScan: ScanRecord | null;
  /** The device accesses between `previousScan` and `scan`, in order: what made the page hot. */
  readonly accesses: readonly DeviceAccessRecord[];
}

/**
 * Every device-hot eviction in `trace`, in order. Works on a live trace or on its
 * JSON (`NotifierTrace.toJSON()`, or that parsed back). Records are ordered by `seq`,
 * not time, so accesses and scans at the same virtual instant still fall on the right
 * side of each other. Needs scan records: a trace attached with `scans: false` finds none.
 */
export function deviceHotEvictions(trace: Pick<TraceData, 'accesses' | 'scans' | 'allocs'>): DeviceHotEviction[] {
  const found: DeviceHotEviction[] = [];
  const pending = new Map<string, DeviceAccessRecord[]>();
  const previous = new Map<string, ScanRecord>();
  const { accesses, scans, allocs } = trace;
  let a = 0;
  let b = 0;
  for (const scan of scans) {
    // Accesses and allocations before this scan, merged in seq order: an allocation starts the page afresh.
    while ((a < accesses.length && accesses[a]!.seq < scan.seq) || (b < allocs.length && allocs[b]!.seq < scan.seq)) {
      const access = accesses[a];
      const alloc = allocs[b];
      if (alloc !== undefined && alloc.seq < scan.seq && (access === undefined || access.seq >= scan.seq || alloc.seq < access.seq)) {
        const key = `${alloc.pfn}:${alloc.generation}`;
        pending.delete(key);
        previous.delete(key);
        b++;
        continue;
      }
      const key = `${access!.pfn}:${access!.generation}`;
      const list = pending.get(key);
      if (list === undefined) pending.set(key, [access!]);
      else list.push(access!);
      a++;
    }
    const key = `${scan.pfn}:${scan.generation}`;
    const hot = pending.get(key);
    if (scan.verdict === 'freed' && hot !== undefined) {
      found.push({ pfn: scan.pfn, generation: scan.generation, time: scan.time, scan, previousScan: previous.get(key) ?? null, accesses: hot });
    }
    pending.delete(key);
    previous.set(key, scan);
  }
  return found;
}
