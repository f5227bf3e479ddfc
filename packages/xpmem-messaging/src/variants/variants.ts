import { buildXpmemFactory, type XpmemFactory, type XpmemFactoryOptions } from '../build.js';

/**
 * An XPMEM driver in the end-only mode, the shape of today's `hpc/xpmem`: the owner
 * pins, recalls only in `invalidate_range_end` and `release`, and ignores
 * invalidations from tasks outside the owner's process. `options.recall` is forced.
 * Kernel counterpart: `hpc/xpmem` kernel/xpmem_mmu_notifier.c.
 */
export function createXpmemEndOnly(options: Omit<XpmemFactoryOptions, 'recall'> = {}): XpmemFactory {
  return buildXpmemFactory({ name: 'xpmem-end-only', ...options, recall: 'end-only' });
}

/** {@link createXpmemEndOnly} with its defaults, in `rfc-2008` and `v6`. Kernel counterpart: as {@link createXpmemEndOnly}. */
export const xpmemEndOnly: XpmemFactory = createXpmemEndOnly();

/**
 * The correct start-mode driver declared for `v2.6.27` as well: there every callback
 * runs inside `rcu_read_lock()`, so its recall's sleep is a might-sleep violation
 * (the call site and the locks in the report). Kernel counterpart: what the seed
 * thread argued about — XPMEM had no legal place to sleep in the merged 2.6.27 API.
 */
export const xpmemV2627: XpmemFactory = buildXpmemFactory({ name: 'xpmem-2.6.27', eras: ['v2.6.27'] });
