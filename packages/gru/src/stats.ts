/**
 * The device's TLB counters, one set per instance (every context together), for tests and
 * reports. Kernel counterpart: the GRU's `gru_stats` (`/proc/sgi_uv/gru/statistics`):
 * `tlb_dropin`, `tlb_dropin_fail_range_active`, `tlb_dropin_fail_upm`,
 * `call_os_wait_queue`, `flush_tlb`, …
 */
export interface GruTlbStats {
  /** Device accesses whose context's TLB held a usable entry. */
  hits: number;
  /** Device accesses that missed (no entry, or a read-only one for a write): a TLB miss interrupt each. */
  misses: number;
  /** Dropins the hardware accepted: a TLB entry written. */
  dropins: number;
  /** Dropins the hardware discarded: an invalidation reached the context after the fault was read. */
  discardedDropins: number;
  /** Dropin attempts that stopped before the TLB write: an invalidation active, or the page needs a fault. */
  failedDropins: number;
  /** Times the user path slept on the wait queue for invalidations to end. */
  waits: number;
  /** TLB flushes of one context (a range invalidate, or dropping its ASID). */
  flushes: number;
  /** Flushes done by dropping the context's ASID rather than invalidating a range. */
  asidDrops: number;
  /** Entries evicted to make room (least recently used first). */
  evictions: number;
}

/** A zeroed {@link GruTlbStats}. Kernel counterpart: none. */
export function emptyGruTlbStats(): GruTlbStats {
  return { hits: 0, misses: 0, dropins: 0, discardedDropins: 0, failedDropins: 0, waits: 0, flushes: 0, asidDrops: 0, evictions: 0 };
}
