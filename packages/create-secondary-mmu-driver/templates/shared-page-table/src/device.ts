// A device that shares the CPU page table (IOMMU SVA: PASID, ATS/PRI). It walks the
// process's own page table and caches what it found in an IOTLB; the kernel flushes
// that IOTLB through arch_invalidate_secondary_tlbs, called from its TLB flushes.
import { faultLocked, PAGE_SIZE, SmmuError, VM, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierUnregister, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';

/** Give up after this many accesses lost to flushes (EAGAIN): a livelock guard. */
const MAX_ATTEMPTS = 1000;

export class SvaDevice {
  readonly device: DeviceMmu;
  readonly notifier: MmuNotifier;
  /** release ran (the mm exited) or detach began: the PASID faults from now on. */
  private unbound = false;
  private detached = false;

  constructor(
    machine: Machine,
    readonly mm: Mm,
  ) {
    // The class the oracle judges by; the factory's `sharesCpuPageTable: true` must agree.
    this.device = new DeviceMmu(machine, { name: 'sva-device', driverClass: 'shares-cpu-page-table' });
    this.notifier = new MmuNotifier(
      {
        // Under the PT lock, after the PTE changed and before the old page is freed or
        // replaced: the IOTLB must be clean for [start, end) when this returns.
        archInvalidateSecondaryTlbs: (_task, _sub, _mm, start, end) => void this.device.dropRange(this.mm, start, end),
        // The mm is going away: tear the PASID down.
        release: () => {
          this.unbound = true;
          this.device.dropAll(this.mm);
        },
      },
      'sva-device',
    );
    this.device.answerFor(this.notifier);
  }

  /** A device read through the IOTLB; an entry flushed while the access waited is a miss. */
  async read(task: Task, address: number): Promise<number> {
    const page = pageOf(address);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const h = await this.translate(task, page, false);
      try {
        return await this.device.read(task, h);
      } catch (error) {
        if (h.live) throw error; // a real error, not a flush while the access waited
      }
    }
    throw new SmmuError('EAGAIN', `sva-device: read at 0x${address.toString(16)} kept losing its IOTLB entry`);
  }

  /** A device write: needs a writable entry (the walker then marks the PTE dirty). */
  async write(task: Task, address: number, value: number): Promise<void> {
    const page = pageOf(address);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const h = await this.translate(task, page, true);
      try {
        await this.device.write(task, h, value);
        return;
      } catch (error) {
        if (h.live && h.writable) throw error;
      }
    }
    throw new SmmuError('EAGAIN', `sva-device: write at 0x${address.toString(16)} kept losing its IOTLB entry`);
  }

  /** Unbind: stop faulting, unregister (release runs if still listed), and flush whatever is left. */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    this.unbound = true;
    await mmuNotifierUnregister(task, this.notifier, this.mm);
    this.device.dropAll(this.mm);
  }

  /** IOTLB hit, else the hardware walk, else a page request (I/O page fault) and walk again. */
  private async translate(task: Task, page: number, write: boolean): Promise<DeviceTranslation> {
    for (;;) {
      const hit = this.device.lookup(this.mm, page);
      if (hit !== undefined && (!write || hit.writable)) return hit;
      if (this.unbound) throw new SmmuError('EFAULT', `sva-device: mm ${this.mm.id} is unbound`);
      // The walk reads the PTE and fills the IOTLB in one step: no preemption point
      // between, so a PTE change comes before it (seen) or after it (flushed).
      const pte = walkPageTable(this.mm, page);
      if (pte !== null && (!write || pte.write)) {
        const stale = this.device.lookup(this.mm, page);
        if (stale !== undefined) this.device.drop(stale);
        return this.device.establish(task, this.mm, page, pte.pfn, { writable: pte.write });
      }
      await this.pageRequest(task, page, write);
    }
  }

  /** iommu_sva_handle_mm(): handle_mm_fault under the mmap read lock, if the vma allows the access. */
  private async pageRequest(task: Task, page: number, write: boolean): Promise<void> {
    await this.mm.mmapLock.downRead(task);
    try {
      const vma = this.mm.vmas.lookup(page);
      if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `sva-device: nothing readable at 0x${page.toString(16)}`);
      if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `sva-device: 0x${page.toString(16)} is not writable`);
      await faultLocked(this.device.machine.mem, task, this.mm, page, write);
    } finally {
      await this.mm.mmapLock.upRead(task);
    }
  }
}

function pageOf(address: number): number {
  if (!Number.isSafeInteger(address) || address < 0) throw new SmmuError('EINVAL', `sva-device: ${String(address)} is not a user address`);
  return address - (address % PAGE_SIZE);
}
