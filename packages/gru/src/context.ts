import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import { GruTlb } from './tlb.js';

/**
 * What the hardware latched when it raised a TLB miss and the driver read it: the
 * faulting page, the access, and the context's flush generation at that moment (the
 * hardware's dropin rule compares it at dropin). Kernel counterpart: the TLB fault
 * handle's (TFH) miss state — `tfh->missvaddr`, `tfh->missasid`, the access type —
 * as `gru_try_dropin()` reads it.
 */
export interface GruFault {
  /** The context that missed. */
  readonly context: GruContext;
  /** The page-aligned faulting address. */
  readonly page: number;
  /** A write access (the entry must be writable). */
  readonly write: boolean;
  /** {@link GruContext.flushGeneration} when the fault was read. */
  readonly generation: number;
}

/**
 * One GRU context: an ASID and the TLB entries tagged with it. A flush that reaches the
 * context (a range invalidate, or dropping its ASID) bumps its flush generation, which
 * is what lets the hardware discard a dropin computed before the flush.
 *
 * Kernel counterpart: a loaded `struct gru_thread_state` with its CCH and TFH, and the
 * ASID its mm has on that chiplet (`gms->ms_asids[gid]`, `gru_mm_tracker`).
 */
export class GruContext {
  /** The ASID its TLB entries carry; a new one after {@link GruContext.dropAsid}. */
  asid: number;
  /** Bumped by every flush that reaches the context. */
  flushGeneration = 0;
  readonly tlb: GruTlb;

  constructor(
    readonly index: number,
    device: DeviceMmu,
    tlbSize: number,
    asid: number,
  ) {
    this.asid = asid;
    this.tlb = new GruTlb(device, tlbSize);
  }

  /** Read a TLB miss of `page`: latch the flush generation with it. */
  readFault(page: number, write: boolean): GruFault {
    return { context: this, page, write, generation: this.flushGeneration };
  }

  /** Invalidate `[start, end)` in this context's TLB (a TGH invalidate): returns how many entries went. */
  invalidateRange(start: number, end: number): number {
    this.flushGeneration++;
    return this.tlb.invalidateRange(start, end);
  }

  /** Give the context ASID `asid`: every entry of the old one is unreachable, hence gone. */
  dropAsid(asid: number): number {
    this.flushGeneration++;
    this.asid = asid;
    return this.tlb.invalidateAll();
  }
}
