import { hmmRangeFault, isSmmuError, PAGE_SIZE, SmmuError, TASK_SIZE, type HmmPfn, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import {
  DeviceMmu,
  MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  type DeviceTranslation,
} from '@secondary-mmu/mmu-notifier';
import { MirrorDriver } from '../mirror-driver.js';
import { odpInvalidateRange } from './invalidate.js';
import { OdpRegion } from './region.js';

/** `HMM_RANGE_DEFAULT_TIMEOUT` (1000 ms) in virtual ns: a fault still meeting EBUSY after it gives up. */
const ODP_FAULT_TIMEOUT_NS = 1_000_000_000;

/** How an {@link OdpMirror} is made. Kernel counterpart: none. */
export interface OdpMirrorOptions {
  /** The device's name (its `DeviceMmu`; regions' notifiers are `<name>-mr<i>`); default `odp`. */
  readonly name?: string;
  /**
   * Replace a region's interval `invalidate` (default {@link odpInvalidateRange}): for
   * mutants that test the testkit.
   */
  readonly invalidate?: typeof odpInvalidateRange;
  /**
   * Replace which region's notifier the fault's `read_begin` / `read_retry` pair uses
   * (default: the region holding the page): for mutants that test the testkit.
   */
  readonly retryRegion?: (mirror: OdpMirror, region: OdpRegion) => OdpRegion;
}

/**
 * An RDMA on-demand-paging device bound to one mm: a {@link MirrorDriver} whose device
 * answers for one interval notifier per registered memory region
 * ({@link OdpMirror.registerRegion}), each region with its own `umem_mutex`. A device
 * fault finds the region holding the page (EFAULT outside every region: the device's
 * access error) and runs the region's `mmu_interval_read_begin` / `hmm_range_fault` /
 * `mmu_interval_read_retry` loop, installing under that region's mutex; each region's
 * `invalidate` zaps its own overlap with the range ({@link odpInvalidateRange}).
 * `v6` only (interval notifiers came in 5.5).
 *
 * Kernel counterpart: an ODP memory region set of one `ib_ucontext` —
 * `ib_umem_odp_get` per `ibv_reg_mr(IBV_ACCESS_ON_DEMAND)`, mlx5's
 * `pagefault_real_mr` → `ib_umem_odp_map_dma_and_lock`, `mlx5_ib_invalidate_range`.
 */
export class OdpMirror extends MirrorDriver {
  /** The registered regions, in registration order. */
  readonly regions: OdpRegion[] = [];
  /** Device faults that found `mmuIntervalReadRetry` true and started over. */
  retries = 0;
  private readonly invalidate: typeof odpInvalidateRange;
  private readonly retryRegion: NonNullable<OdpMirrorOptions['retryRegion']>;

  constructor(machine: Machine, mm: Mm, options: OdpMirrorOptions = {}) {
    super(new DeviceMmu(machine, { name: options.name ?? 'odp', driverClass: 'no-references' }), mm);
    this.invalidate = options.invalidate ?? odpInvalidateRange;
    this.retryRegion = options.retryRegion ?? ((_mirror, region) => region);
  }

  /**
   * Register `[start, start + pages · PAGE_SIZE)` (page aligned, inside the user
   * address space, overlapping no registered region): insert the region's interval
   * notifier on the mm and make the device answer for it. EINVAL (nothing changed) for
   * a bad range, an overlap, or a detached device. May sleep (the first insert
   * registers the mm under its mmap write lock).
   *
   * Kernel counterpart: `ib_umem_odp_get()` → `mmu_interval_notifier_insert()`.
   */
  async registerRegion(task: Task, start: number, pages: number): Promise<OdpRegion> {
    const where = `${this.device.name}: registerRegion`;
    if (this.detached) throw new SmmuError('EINVAL', `${where}: the device is detached`);
    if (!Number.isSafeInteger(start) || start < 0 || start % PAGE_SIZE !== 0) throw new SmmuError('EINVAL', `${where}: start ${String(start)} is not a page-aligned user address`);
    if (!Number.isSafeInteger(pages) || pages <= 0 || start + pages * PAGE_SIZE > TASK_SIZE) throw new SmmuError('EINVAL', `${where}: ${String(pages)} pages from 0x${start.toString(16)} is not a range of the user address space`);
    const end = start + pages * PAGE_SIZE;
    const clash = this.regions.find((r) => r.start < end && start < r.end);
    if (clash !== undefined) throw new SmmuError('EINVAL', `${where}: [0x${start.toString(16)}, 0x${end.toString(16)}) overlaps region ${clash.index}`);
    const region = new OdpRegion(this.device.machine, this.regions.length, start, end);
    region.notifier = new MmuIntervalNotifier(
      { invalidate: (t, isub, range, curSeq) => this.invalidate(this, region, t, isub, range, curSeq) },
      `${this.device.name}-mr${region.index}`,
    );
    await mmuIntervalNotifierInsert(task, region.notifier, this.mm, start, end - start);
    region.inserted = true;
    this.regions.push(region);
    this.device.addSubscription(region.notifier);
    return region;
  }

  /** The region holding the page of `address`, if any. Kernel counterpart: the MR lookup by key in `pagefault_single_data_segment`. */
  regionOf(address: number): OdpRegion | undefined {
    return this.regions.find((r) => r.holds(address));
  }

  /**
   * The device fault of the page of `address`: the region's read-begin / fault /
   * read-retry loop, installing under its `umem_mutex` (nothing once the device is
   * detached). EFAULT outside every region or once the mm exited (the kernel's
   * `mmget_not_zero` fails); `hmm_range_fault`'s errors pass through, its EBUSY
   * retries until the timeout.
   */
  protected async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % PAGE_SIZE);
    const region = this.regionOf(page);
    const what = `${this.device.name}: fault at 0x${page.toString(16)}`;
    if (region === undefined) throw SmmuError.answer('EFAULT', `${what}: no registered region holds it`);
    const notifier = this.retryRegion(this, region).notifier;
    const timeout = this.device.machine.clock.now + ODP_FAULT_TIMEOUT_NS;
    for (;;) {
      const h = this.device.lookup(this.mm, page);
      if (h !== undefined && (!write || h.writable)) return h;
      if (this.mm.dead) throw SmmuError.answer('EFAULT', `${what}: mm ${this.mm.id} has exited`);
      const seq = await mmuIntervalReadBegin(task, notifier);
      let pfn: HmmPfn;
      await this.mm.mmapLock.downRead(task);
      try {
        [pfn] = (await hmmRangeFault(this.device.machine.mem, task, this.mm, page, page + PAGE_SIZE, { write })) as [HmmPfn];
      } catch (error) {
        if (isSmmuError(error, 'EBUSY') && this.device.machine.clock.now <= timeout) continue;
        throw error;
      } finally {
        await this.mm.mmapLock.upRead(task);
      }
      await region.mutex.lock(task);
      let installed: DeviceTranslation | undefined;
      try {
        if (this.detached) throw SmmuError.answer('EFAULT', `${what}: the device is detached`);
        // The kernel's fault holds an mm_users reference (mmget_not_zero), so exit_mmap
        // cannot begin under it; here the mm is marked dead before its release pass,
        // whose invalidate of this region takes this mutex: checked here, an install
        // either precedes that invalidate (which zaps it) or sees the mm dead.
        if (this.mm.dead) throw SmmuError.answer('EFAULT', `${what}: mm ${this.mm.id} has exited`);
        if (mmuIntervalReadRetry(notifier, seq)) {
          this.retries++;
          continue;
        }
        const old = this.device.lookup(this.mm, page); // e.g. the read-only one a write replaces
        if (old !== undefined) this.device.drop(old);
        installed = this.device.establish(task, this.mm, page, pfn.pfn, { writable: pfn.write });
      } finally {
        await region.mutex.unlock(task);
      }
      // Unlocking is a preemption point: the region's invalidate may have zapped it already.
      if (installed.live && (!write || installed.writable)) return installed;
    }
  }

  /** detach's drop: each region's translations under its own `umem_mutex`. Kernel counterpart: `mlx5_revoke_mr` (the MTT zap under `umem_mutex`). */
  protected override async dropTranslations(task: Task): Promise<void> {
    for (const region of this.regions) {
      await region.mutex.lock(task);
      try {
        this.device.dropRange(this.mm, region.start, region.end);
      } finally {
        await region.mutex.unlock(task);
      }
    }
    this.device.dropAll(this.mm); // nothing outside the regions is ever installed; belt and braces
  }

  /** Remove every region's notifier (each waits out an invalidation in progress), then stop answering for it. Kernel counterpart: `ib_umem_odp_release()` → `mmu_interval_notifier_remove()`. */
  protected async unregister(task: Task): Promise<void> {
    for (const region of this.regions) {
      if (!region.inserted) continue;
      await mmuIntervalNotifierRemove(task, region.notifier);
      region.inserted = false;
      this.device.removeSubscription(region.notifier);
    }
  }
}
