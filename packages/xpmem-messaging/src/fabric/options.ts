import { SmmuError } from '@secondary-mmu/core-mm';
import { integerOption, show } from '../show.js';

/**
 * How the message fabric behaves, all in virtual time and drawn from the run's seed
 * (the machine's `faults` random stream). Kernel counterpart: none — the NUMAlink /
 * XPC channels between SGI partitions that XPMEM's 2008 messaging rode on.
 */
export interface XpmemFabricOptions {
  /** One-way latency of a message, ns (default {@link XPMEM_DEFAULT_LATENCY_NS}). */
  readonly latencyNs?: number;
  /** Up to this many ns more per transmission, uniform from the seed (default 0). */
  readonly jitterNs?: number;
  /** Probability a transmission is lost, in `[0, 1)` (default 0). */
  readonly loss?: number;
  /** Retransmissions of a lost message before the link gives up on it (default 4). */
  readonly maxRetransmits?: number;
  /** Wait before a lost message is sent again, ns (default 4 × latency). */
  readonly retransmitTimeoutNs?: number;
  /**
   * An exchange not answered this long after it was sent is abandoned: the peer is
   * cut off (default {@link XPMEM_DEFAULT_CUTOFF_NS}). What keeps an owner from
   * sleeping forever on a partition that stopped answering.
   */
  readonly cutoffNs?: number;
}

/** One-way latency unless told otherwise: 1 µs, a NUMAlink-class hop. Kernel counterpart: none. */
export const XPMEM_DEFAULT_LATENCY_NS = 1_000;

/** The cut-off unless told otherwise: 1 ms of virtual time. Kernel counterpart: none (XPC's heartbeat timeout, in seconds). */
export const XPMEM_DEFAULT_CUTOFF_NS = 1_000_000;

/** {@link XpmemFabricOptions} with every field resolved. Kernel counterpart: none. */
export type ResolvedXpmemFabricOptions = Required<XpmemFabricOptions>;

/**
 * Check and resolve `options`: an `EINVAL` `SmmuError` naming the bad field and value
 * (nothing is built then). Kernel counterpart: none.
 */
export function resolveFabricOptions(options: XpmemFabricOptions = {}): ResolvedXpmemFabricOptions {
  if (options === null || typeof options !== 'object') throw new SmmuError('EINVAL', `xpmem: options.fabric must be an object, got ${show(options)}`);
  const latencyNs = integerOption('fabric.latencyNs', options.latencyNs, XPMEM_DEFAULT_LATENCY_NS, 0);
  const loss = options.loss ?? 0;
  if (typeof loss !== 'number' || !(loss >= 0 && loss < 1)) throw new SmmuError('EINVAL', `xpmem: options.fabric.loss must be a probability in [0, 1), got ${show(loss)}`);
  return {
    latencyNs,
    jitterNs: integerOption('fabric.jitterNs', options.jitterNs, 0, 0),
    loss,
    maxRetransmits: integerOption('fabric.maxRetransmits', options.maxRetransmits, 4, 0, 64),
    retransmitTimeoutNs: integerOption('fabric.retransmitTimeoutNs', options.retransmitTimeoutNs, 4 * Math.max(1, latencyNs), 1),
    cutoffNs: integerOption('fabric.cutoffNs', options.cutoffNs, XPMEM_DEFAULT_CUTOFF_NS, 1),
  };
}
