import { faultLocked, PAGE_SIZE, SmmuError, VM, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, mmuNotifierUnregister, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { MirrorDriver } from '../mirror-driver.js';

/**
 * One bound SVA device: a PASID sharing the process's page table. The device's IOTLB is
 * its `DeviceMmu`'s translations; a miss is the hardware walk ({@link SvaInstance.walk}),
 * which fills the IOTLB from the CPU PTE in one step, and a walk that finds no usable
 * entry is a page request (I/O page fault) the driver answers with `handle_mm_fault`
 * before the device retries. The notifier has only `arch_invalidate_secondary_tlbs`,
 * which invalidates the IOTLB for the range before it returns (core-mm calls it under
 * the PT lock, before the old page is freed or replaced), and `release`, which makes the
 * PASID fault from then on.
 *
 * No lock is needed: the walk reads the PTE and fills the IOTLB with no preemption point
 * between, so a PTE change either precedes it (the walk sees the new entry) or follows
 * it (its flush drops the entry the walk made) — the ordering hardware gets from the
 * flush coming after the PTE change.
 *
 * Kernel counterpart: `struct iommu_sva` bound by `iommu_sva_bind_device()`, with the
 * IOMMU driver's mmu notifier (`arm_smmu_mm_arch_invalidate_secondary_tlbs` /
 * `intel_arch_invalidate_secondary_tlbs`, `arm_smmu_mm_release`) and the I/O page-fault
 * handler `iommu_sva_handle_mm()` (`handle_mm_fault` under `mmap_read_lock`).
 */
export class SvaInstance extends MirrorDriver {
  /** The notifier the IOMMU driver registers on the mm. */
  readonly notifier: MmuNotifier;
  /** `release` ran: the PASID is torn down and every access faults (EFAULT). */
  protected released = false;

  constructor(machine: Machine, mm: Mm, name: string) {
    super(new DeviceMmu(machine, { name, driverClass: 'shares-cpu-page-table' }), mm);
    this.notifier = new MmuNotifier(
      {
        archInvalidateSecondaryTlbs: (task, _sub, _mm, start, end) => this.invalidateSecondaryTlbs(task, start, end),
        release: () => {
          this.released = true;
          this.device.dropAll(this.mm);
        },
      },
      name,
    );
    this.device.answerFor(this.notifier);
  }

  /** `iommu_sva_bind_device()`: a new instance, its notifier registered on `mm`. */
  static async open(task: Task, machine: Machine, mm: Mm, name = 'sva'): Promise<SvaInstance> {
    const sva = new this(machine, mm, name);
    await mmuNotifierRegister(task, sva.notifier, mm);
    return sva;
  }

  /**
   * The flush: invalidate the IOTLB (and the device's ATC) for `[start, end)` before
   * returning. Kernel counterpart: `arm_smmu_mm_arch_invalidate_secondary_tlbs()` —
   * `arm_smmu_tlb_inv_range_asid()` then `arm_smmu_atc_inv_domain()`.
   */
  protected invalidateSecondaryTlbs(_task: Task, start: number, end: number): void | Promise<void> {
    this.device.dropRange(this.mm, start, end);
  }

  /** `iommu_sva_unbind_device()`: the notifier goes (its `release` runs if still listed). */
  protected override unregister(task: Task): void | Promise<void> {
    return mmuNotifierUnregister(task, this.notifier, this.mm);
  }

  /** An IOTLB hit, or the walk, or a page request and the walk again. */
  protected override async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % PAGE_SIZE);
    for (;;) {
      const hit = this.device.lookup(this.mm, page);
      if (hit !== undefined && (!write || hit.writable)) return hit;
      const filled = this.walk(task, page, write);
      if (filled !== undefined) return filled;
      await this.pageRequest(task, page, write);
    }
  }

  /**
   * The hardware walk: a present user PTE (writable, for a write) fills the IOTLB at
   * once; anything else is undefined (a page request follows). EFAULT once closed.
   */
  protected walk(task: Task, page: number, write: boolean): DeviceTranslation | undefined {
    if (this.detached || this.released) throw SmmuError.answer('EFAULT', `${this.device.name}: the PASID of mm ${this.mm.id} is unbound or its mm exited`);
    const pte = walkPageTable(this.mm, page);
    if (pte === null || (write && !pte.write)) return undefined;
    const stale = this.device.lookup(this.mm, page); // a read-only entry a write replaces
    if (stale !== undefined) this.device.drop(stale);
    return this.device.establish(task, this.mm, page, pte.pfn, { writable: pte.write });
  }

  /**
   * `iommu_sva_handle_mm()`: under `mmap_read_lock`, a vma allowing the access is
   * faulted in with `handle_mm_fault`; otherwise the page response is INVALID and the
   * device sees EFAULT (no vma, or no read access) or EPERM (a write to a mapping
   * without write permission).
   */
  protected async pageRequest(task: Task, page: number, write: boolean): Promise<void> {
    const mm = this.mm;
    const where = `${this.device.name}: page request for ${write ? 'write' : 'read'} at 0x${page.toString(16)} (mm ${mm.id})`;
    if (mm.dead) throw SmmuError.answer('EFAULT', `${where}: the mm has exited`);
    await mm.mmapLock.downRead(task);
    try {
      const vma = mm.vmas.lookup(page);
      if (vma === undefined || (vma.flags & VM.read) === 0) throw SmmuError.answer('EFAULT', `${where}: nothing readable there`);
      if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `${where}: the mapping is not writable`);
      await faultLocked(this.device.machine.mem, task, mm, page, write);
    } finally {
      await mm.mmapLock.upRead(task);
    }
  }
}
