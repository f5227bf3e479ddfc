import type { DriverCapabilities } from '../capabilities.js';

/**
 * What dmirror declares: its mirror table holds no page references, it has no aging
 * callbacks, its `invalidate` never sleeps for the device (only for `dmirror->mutex`,
 * which is no device wait), and it answers false — the interval form of `-EAGAIN` —
 * when the range is not blockable and the mutex is contended. It does not share the CPU
 * page table.
 *
 * Kernel counterpart: the design of `lib/test_hmm.c` — `struct dmirror`'s `pt` xarray
 * (no `get_page`), `dmirror_min_ops` (only `.invalidate`), and the `mutex_trylock` branch
 * of `dmirror_interval_invalidate`.
 */
export const DMIRROR_CAPABILITIES: DriverCapabilities = Object.freeze({
  holdsPageRefs: false,
  implementsAging: false,
  mayBlock: false,
  mayFailStart: true,
  sharesCpuPageTable: false,
});
