import type { Mm } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import type { GruRules } from './flavour.js';
import type { GruMmStruct } from './gms.js';
import type { GruTlbStats } from './stats.js';

/**
 * What the dropin paths need of a GRU device: its `DeviceMmu` (the only way to write a
 * TLB entry), the mm and its gms, the counters, the rules it keeps, and whether it is
 * closed. Kernel counterpart: a `struct gru_thread_state` (`ts_mm`, `ts_gms`, its GRU).
 */
export interface GruDropinHost {
  readonly device: DeviceMmu;
  readonly mm: Mm;
  readonly gms: GruMmStruct;
  readonly stats: GruTlbStats;
  readonly rules: GruRules;
  /** The device was closed: nothing may be dropped in any more. */
  readonly detached: boolean;
}
