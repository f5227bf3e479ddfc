// A driver whose device shares the CPU page table (IOMMU SVA), as the "A driver that
// shares the CPU page table" section of docs/writing-a-driver.md builds it: the device
// walks the process's page table itself, caches what it found in an IOTLB, and the
// kernel tells it to flush through arch_invalidate_secondary_tlbs.
import { faultLocked, PAGE_SIZE, SmmuError, VM, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, mmuNotifierUnregister, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { defineDriver, MirrorDriver } from '@secondary-mmu/testkit';

class SvaDevice extends MirrorDriver {
  readonly notifier: MmuNotifier;
  private unbound = false; // release ran: the PASID faults from now on

  constructor(machine: Machine, mm: Mm) {
    // The class the oracle judges by; `sharesCpuPageTable: true` below must agree.
    super(new DeviceMmu(machine, { name: 'my-sva', driverClass: 'shares-cpu-page-table' }), mm);
    this.notifier = new MmuNotifier(
      {
        // Called under the PT lock, after the PTE changed and before the old page is
        // freed or replaced: the IOTLB must be clean for [start, end) when it returns.
        archInvalidateSecondaryTlbs: (_task, _sub, _mm, start, end) => void this.device.dropRange(this.mm, start, end),
        release: () => {
          this.unbound = true;
          this.device.dropAll(this.mm);
        },
      },
      'my-sva',
    );
    this.device.answerFor(this.notifier);
  }

  protected unregister(task: Task): void | Promise<void> {
    return mmuNotifierUnregister(task, this.notifier, this.mm);
  }

  /** IOTLB hit, else the hardware walk, else a page request (I/O page fault) and walk again. */
  protected async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % PAGE_SIZE);
    for (;;) {
      const hit = this.device.lookup(this.mm, page);
      if (hit !== undefined && (!write || hit.writable)) return hit;
      if (this.detached || this.unbound) throw new SmmuError('EFAULT', `my-sva: mm ${this.mm.id} is unbound`);
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

  /** `iommu_sva_handle_mm()`: handle_mm_fault under the mmap read lock, if the vma allows the access. */
  private async pageRequest(task: Task, page: number, write: boolean): Promise<void> {
    await this.mm.mmapLock.downRead(task);
    try {
      const vma = this.mm.vmas.lookup(page);
      if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `my-sva: nothing readable at 0x${page.toString(16)}`);
      if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `my-sva: 0x${page.toString(16)} is not writable`);
      await faultLocked(this.device.machine.mem, task, this.mm, page, write);
    } finally {
      await this.mm.mmapLock.upRead(task);
    }
  }
}

/** `v6` only: the 2008 eras have no arch_invalidate_secondary_tlbs. */
export const svaDevice = defineDriver({
  name: 'my-sva',
  capabilities: { sharesCpuPageTable: true },
  eras: ['v6'],
  async attach(task, machine, mm) {
    const sva = new SvaDevice(machine, mm);
    await mmuNotifierRegister(task, sva.notifier, mm);
    return sva;
  },
});
