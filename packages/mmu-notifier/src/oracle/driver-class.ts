/**
 * What a driver keeps of the pages it translates, which decides the rules the coherence
 * oracle holds it to (docs/notifier.md):
 *
 * - `'no-references'`: translations hold no page reference (KVM sptes since ≈2.6.32,
 *   SGI GRU, the kernel's test_hmm `dmirror`). Everything in a range must be gone when
 *   `invalidate_range_start` (or `invalidate_page`) returns: no access to the range
 *   until `end` — except reads through a read-only mapping during a PROTECTION_* event —
 *   and no new translation there meanwhile.
 * - `'holds-references'`: each translation holds a page reference or pin (KVM sptes in
 *   2.6.27, XPMEM). It may tear down in `end`; only the outcome rules apply.
 * - `'shares-cpu-page-table'`: the device walks the CPU page table itself and only
 *   caches it in a TLB (`arch_invalidate_secondary_tlbs` users: IOMMU SVA, ATS/PASID).
 *   The flush must come under the PT lock when a page is freed or replaced.
 *
 * Kernel counterpart: none as a type — the kernel states these as comments in
 * `include/linux/mmu_notifier.h` and `Documentation/mm/mmu_notifier.rst`.
 */
export type DriverClass = 'no-references' | 'holds-references' | 'shares-cpu-page-table';

/** Every {@link DriverClass}, in a fixed order. Kernel counterpart: none. */
export const DRIVER_CLASSES: readonly DriverClass[] = ['no-references', 'holds-references', 'shares-cpu-page-table'];

/** True if `value` names a {@link DriverClass}. Kernel counterpart: none. */
export function isDriverClass(value: unknown): value is DriverClass {
  return typeof value === 'string' && (DRIVER_CLASSES as readonly string[]).includes(value);
}
