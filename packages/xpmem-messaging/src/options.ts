import { SmmuError } from '@secondary-mmu/core-mm';
import { resolveFabricOptions, type ResolvedXpmemFabricOptions, type XpmemFabricOptions } from './fabric/options.js';
import { integerOption, show } from './show.js';

/**
 * When an invalidation recalls the importers: `'start'` — in `invalidate_range_start`
 * (or the interval notifier's `invalidate`, or `invalidate_page`), before the pages
 * change, which is correct; `'end-only'` — only in `invalidate_range_end` and
 * `release`, ignoring invalidations from tasks outside the owner's process, the shape
 * of today's `hpc/xpmem` (kept on the `./variants` subpath). Kernel counterpart: none.
 */
export type XpmemRecallMode = 'start' | 'end-only';

/** How a recall reaches several importers: one after another, or all at once waiting for the slowest. Kernel counterpart: none. */
export type XpmemRecallOrder = 'serial' | 'multicast';

/** How a driver is built. Kernel counterpart: none (module parameters at most). */
export interface XpmemOptions {
  /** Default `'start'`. */
  readonly recall?: XpmemRecallMode;
  /** Default `'multicast'`. */
  readonly order?: XpmemRecallOrder;
  /** The message fabric (latency, jitter, loss, retransmissions, cut-off). */
  readonly fabric?: XpmemFabricOptions;
  /** Import-fault attempts an invalidation may overtake before `EAGAIN` (default {@link XPMEM_MAX_FAULT_RETRIES}). */
  readonly maxFaultRetries?: number;
}

/** Fault attempts before `EAGAIN` unless told otherwise. Kernel counterpart: none (XPMEM loops; the model bounds it). */
export const XPMEM_MAX_FAULT_RETRIES = 16;

/** {@link XpmemOptions} resolved. Kernel counterpart: none. */
export interface ResolvedXpmemOptions {
  readonly recall: XpmemRecallMode;
  readonly order: XpmemRecallOrder;
  readonly fabric: ResolvedXpmemFabricOptions;
  readonly maxFaultRetries: number;
}

/** Check and resolve `options`: `EINVAL` naming the bad field and value, nothing built. Kernel counterpart: none. */
export function resolveXpmemOptions(options: XpmemOptions = {}): ResolvedXpmemOptions {
  if (options === null || typeof options !== 'object') throw new SmmuError('EINVAL', `xpmem: options must be an object, got ${show(options)}`);
  const recall = options.recall ?? 'start';
  if (recall !== 'start' && recall !== 'end-only') throw new SmmuError('EINVAL', `xpmem: options.recall must be 'start' or 'end-only', got ${show(recall)}`);
  const order = options.order ?? 'multicast';
  if (order !== 'serial' && order !== 'multicast') throw new SmmuError('EINVAL', `xpmem: options.order must be 'serial' or 'multicast', got ${show(order)}`);
  return { recall, order, fabric: resolveFabricOptions(options.fabric), maxFaultRetries: integerOption('maxFaultRetries', options.maxFaultRetries, XPMEM_MAX_FAULT_RETRIES, 1, 1_000) };
}
