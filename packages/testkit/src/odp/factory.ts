import { PAGE_SIZE, SmmuError, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DriverCapabilities } from '../capabilities.js';
import type { DriverFactory } from '../contract.js';
import { OdpMirror, type OdpMirrorOptions } from './instance.js';

/**
 * What the ODP mirror declares: no page references, no aging callbacks, its
 * `invalidate` sleeps only for a region's `umem_mutex` (no device wait), and it answers
 * false — the interval form of `-EAGAIN` — whenever the range may not block (the OOM
 * reaper). Kernel counterpart: the design of mlx5 ODP (`mlx5_ib_invalidate_range`
 * refuses non-blockable ranges outright).
 */
export const ODP_MIRROR_CAPABILITIES: DriverCapabilities = Object.freeze({
  holdsPageRefs: false,
  implementsAging: false,
  mayBlock: false,
  mayFailStart: true,
  sharesCpuPageTable: false,
});

/** How {@link odpMirrorDriver} registers regions at attach. Kernel counterpart: none. */
export interface OdpMirrorDriverOptions extends OdpMirrorOptions {
  /**
   * Region size in pages (default 2): every mapping of the mm at attach is registered
   * as regions cut at multiples of this many pages (aligned on the address), so a
   * mapping larger than one region spans several notifiers, as an application
   * registering its buffer piecewise does.
   */
  readonly regionPages?: number;
}

/**
 * Attach an {@link OdpMirror} to `mm`: read the mm's mappings under its mmap read lock,
 * then register each as regions of `regionPages` pages. Kernel counterpart: an
 * application's `ibv_reg_mr(…, IBV_ACCESS_ON_DEMAND)` calls over its buffers.
 */
export async function attachOdpMirror(task: Task, machine: Machine, mm: Mm, options: OdpMirrorDriverOptions = {}): Promise<OdpMirror> {
  const regionPages = options.regionPages ?? 2;
  if (!Number.isSafeInteger(regionPages) || regionPages <= 0) throw new SmmuError('EINVAL', `odp: regionPages ${String(regionPages)} must be a positive integer`);
  const mirror = new OdpMirror(machine, mm, options);
  await mm.mmapLock.downRead(task);
  let spans: [number, number][];
  try {
    spans = mm.vmas.overlapping(0, Number.MAX_SAFE_INTEGER).map((vma) => [vma.start, vma.end]);
  } finally {
    await mm.mmapLock.upRead(task);
  }
  const size = regionPages * PAGE_SIZE;
  for (const [start, end] of spans) {
    for (let a = start; a < end; ) {
      const next = Math.min(end, (Math.floor(a / size) + 1) * size);
      await mirror.registerRegion(task, a, (next - a) / PAGE_SIZE);
      a = next;
    }
  }
  return mirror;
}

/**
 * The multi-region reference driver: an RDMA on-demand-paging device with one interval
 * notifier per registered memory region (see {@link OdpMirror}), regions registered at
 * attach over the mm's mappings ({@link attachOdpMirror}). `v6` only.
 *
 * Kernel counterpart: an mlx5 ODP context (`drivers/infiniband/core/umem_odp.c`,
 * `drivers/infiniband/hw/mlx5/odp.c`).
 */
export function odpMirrorDriver(options: OdpMirrorDriverOptions = {}): DriverFactory {
  return Object.freeze({
    name: options.name ?? 'odp',
    capabilities: ODP_MIRROR_CAPABILITIES,
    eras: Object.freeze(['v6'] as const),
    attach: (task: Task, machine: Machine, mm: Mm) => attachOdpMirror(task, machine, mm, options),
  } satisfies DriverFactory);
}

/** {@link odpMirrorDriver} with its defaults (two-page regions). Kernel counterpart: as {@link odpMirrorDriver}. */
export const odpMirror: DriverFactory = odpMirrorDriver();
