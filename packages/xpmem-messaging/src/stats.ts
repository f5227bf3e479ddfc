/**
 * One driver's counters (every owner and importer of one factory on one machine), for
 * tests, reports and the comparison app. Kernel counterpart: none (XPMEM keeps a few
 * debug counters at most).
 */
export interface XpmemStats {
  /** Import faults the owner answered with a page. */
  faults: number;
  /** Import faults started again: an invalidation overtook them (owner or importer side). */
  faultRetries: number;
  /** Import faults given up with `EAGAIN` after the retry bound. */
  faultsAgain: number;
  /** Pages pinned for importers, and pins released. */
  pins: number;
  unpins: number;
  /** Invalidations that recalled at least one importer. */
  recalls: number;
  /** Recall messages sent (one per importer per recall). */
  recallMessages: number;
  /** Virtual ns the recalls slept in total, and the longest one. */
  recallNs: number;
  maxRecallNs: number;
  /** Non-blockable invalidations refused (`-EAGAIN` / false) because a recall was needed. */
  refused: number;
  /** Invalidations ignored by the end-only mode's task filter (another task's invalidation). */
  filtered: number;
  /** Importers cut off (no answer by the fabric's cut-off). */
  cutOffs: number;
}

/** A zeroed {@link XpmemStats}. Kernel counterpart: none. */
export function emptyXpmemStats(): XpmemStats {
  return { faults: 0, faultRetries: 0, faultsAgain: 0, pins: 0, unpins: 0, recalls: 0, recallMessages: 0, recallNs: 0, maxRecallNs: 0, refused: 0, filtered: 0, cutOffs: 0 };
}
