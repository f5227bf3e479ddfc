import { SmmuError } from '@secondary-mmu/core-mm';

/** Entries per context TLB unless told otherwise: small, so the LRU replacement runs in tests. Kernel counterpart: none (the chiplet's TLB size is fixed in hardware). */
export const GRU_DEFAULT_TLB_SIZE = 8;

/** Contexts (ASIDs) per device unless told otherwise. Kernel counterpart: none (GRU_NUM_CCH context slots per chiplet). */
export const GRU_DEFAULT_CONTEXTS = 2;

/**
 * How a GRU device is built. Kernel counterpart: the chiplet's geometry (its TLB has
 * a fixed number of entries; GRU_NUM_CCH contexts per chiplet).
 */
export interface GruDeviceOptions {
  /** Entries in each context's TLB (a positive integer, default {@link GRU_DEFAULT_TLB_SIZE}). */
  readonly tlbSize?: number;
  /** Contexts, each with its own ASID and TLB; a task issuing device accesses is given one (a positive integer, default {@link GRU_DEFAULT_CONTEXTS}). */
  readonly contexts?: number;
}

/** {@link GruDeviceOptions} with every field resolved. Kernel counterpart: none. */
export type ResolvedGruDeviceOptions = Required<GruDeviceOptions>;

/**
 * Check and resolve `options`: an `EINVAL` `SmmuError` naming the bad field and value
 * for anything but a positive integer (nothing is built then). Kernel counterpart: none.
 */
export function resolveGruDeviceOptions(options: GruDeviceOptions = {}): ResolvedGruDeviceOptions {
  if (options === null || typeof options !== 'object') throw new SmmuError('EINVAL', `gru: options must be an object, got ${String(options)}`);
  return { tlbSize: positive('tlbSize', options.tlbSize, GRU_DEFAULT_TLB_SIZE), contexts: positive('contexts', options.contexts, GRU_DEFAULT_CONTEXTS) };
}

/** A value as a message shows it: strings quoted, objects as JSON. */
function show(value: unknown): string {
  return typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
}

function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new SmmuError('EINVAL', `gru: options.${field} must be a positive integer, got ${show(value)}`);
  }
  return value;
}
