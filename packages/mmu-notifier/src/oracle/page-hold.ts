import type { Mm } from '@secondary-mmu/core-mm';

/**
 * One page reference (`get_user_pages`, `FOLL_GET`) or pin (`pin_user_pages`,
 * `FOLL_PIN`) a device took through {@link DeviceMmu.getUserPages} and has not yet
 * given back: what the leak rule counts after `release` or unregister.
 *
 * Kernel counterpart: the `struct page` references a driver keeps (KVM's pre-2.6.32
 * spte references, XPMEM's pinned source pages); the kernel itself does not track
 * them per driver.
 */
export interface PageHold {
  readonly pfn: number;
  /** The frame's generation when it was taken (it cannot move on while held). */
  readonly generation: number;
  /** A pin (`FOLL_PIN`, released with `unpinUserPage`) rather than a plain reference (`putPage`). */
  readonly pin: boolean;
  /** The address space and virtual address it was taken for. */
  readonly mm: Mm;
  readonly address: number;
  /** Virtual time it was taken (ns). */
  readonly time: number;
}
