/**
 * Which of the GRU's correctness rules a driver built by `createGruDriver` keeps. The
 * exported `gru` keeps all of them; each variant on the `./variants` subpath breaks
 * exactly one, so the testkit can be shown to catch it. Kernel counterpart: none.
 */
export interface GruRules {
  /** `gru_try_dropin()` refuses to drop in while an invalidation is active (`ms_range_active`). */
  readonly checksRangeActive: boolean;
  /** The hardware discards a dropin when a flush reached the context after the fault was read. */
  readonly hardwareDropinRule: boolean;
  /** `invalidate_range_start` flushes the TLB; false moves the flush into `end`, after the decrement. */
  readonly flushesInStart: boolean;
  /**
   * `release` unloads every context (drops its ASID) in every era. False is the kernel's
   * own choice — 2.6.27 to 5.3's `gru_release` only sets `ms_released`, and since 5.4
   * there is no `release` — which relies on no instruction being in flight at exit.
   */
  readonly releaseFlushes: boolean;
}

/** The rules of the real driver: all kept. Kernel counterpart: none. */
export const GRU_RULES: GruRules = Object.freeze({ checksRangeActive: true, hardwareDropinRule: true, flushesInStart: true, releaseFlushes: true });
