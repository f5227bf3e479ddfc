/**
 * What a driver declares about itself. The conformance suite skips a scenario only
 * by a declared capability (and says which), and the oracle judges the device by the
 * driver class these imply. Kernel counterpart: none — in the kernel these are
 * properties of the driver's design, documented in its comments.
 */
export interface DriverCapabilities {
  /** Its translations hold page references or pins (KVM in 2.6.27, XPMEM): torn down in `end` at the latest. */
  readonly holdsPageRefs: boolean;
  /** It answers `clearFlushYoung` (and `clearYoung`/`testYoung` where the era has them). */
  readonly implementsAging: boolean;
  /** Its invalidation may sleep when the range is blockable (waiting for a device or a remote acknowledgement). Undeclared, such a sleep is an `undeclared-may-block` violation (`defineDriver`'s `attach`). */
  readonly mayBlock: boolean;
  /** Its `invalidateRangeStart` may answer `-EAGAIN` when not blockable (and so has no `end`). */
  readonly mayFailStart: boolean;
  /**
   * Its device TLB shares the CPU page table (`arch_invalidate_secondary_tlbs`; IOMMU SVA).
   * True exactly when its `DeviceMmu`'s driver class is `'shares-cpu-page-table'`, the
   * class the oracle judges it by: `defineDriver`'s `attach` refuses an instance that
   * disagrees (`DriverSpecError`, problem `capability-mismatch`).
   */
  readonly sharesCpuPageTable: boolean;
}

/** Capabilities of a driver that declares nothing: no references, no aging, never blocks or fails. */
export const NO_CAPABILITIES: DriverCapabilities = {
  holdsPageRefs: false,
  implementsAging: false,
  mayBlock: false,
  mayFailStart: false,
  sharesCpuPageTable: false,
};
