import { mmuNotifierUnregister, type DeviceMmu, type DeviceTranslation, type MmuNotifier } from '@secondary-mmu/mmu-notifier';
import { PAGE_SIZE, SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DriverInstance } from '../contract.js';
import { CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS, classicMirrorFault, type ClassicMirrorFaultPath } from './fault.js';
import { withMmuLock } from './locked.js';
import type { ClassicMirrorState, ClassicMirrorStats } from './state.js';

/**
 * One classic mirror bound to one mm: the device reads and writes through the mirror
 * table's translations, faulting one in (Arcangeli's sequence / in-progress retry,
 * {@link classicMirrorFault}) when it has none, or only a read-only one and wants to write. A
 * translation the driver zaps while an access waits at the device's preemption point
 * is a device TLB miss: the access faults again.
 *
 * Kernel counterpart: a KVM VM's MMU (`struct kvm` with its `mmu_notifier`), the
 * device accesses being vCPU loads and stores through sptes; `detach` is closing the
 * VM (`kvm_destroy_vm` → `mmu_notifier_unregister`).
 */
export class ClassicMirrorInstance implements DriverInstance {
  readonly device: DeviceMmu;
  readonly mm: Mm;
  private detached = false;

  constructor(
    private readonly state: ClassicMirrorState,
    /** The registered subscription. */
    readonly subscription: MmuNotifier,
    /** The device fault path: {@link classicMirrorFault} unless a test injects a broken one (the kill matrix). */
    private readonly fault: ClassicMirrorFaultPath = classicMirrorFault,
  ) {
    this.device = state.device;
    this.mm = state.mm;
  }

  /** Fault-path counters: faults, retries (the seq / in-progress check fired), translations established. */
  get stats(): Readonly<ClassicMirrorStats> {
    return this.state.stats;
  }

  /** `mmu_invalidate_seq`: completed invalidations seen. */
  get invalidateSeq(): number {
    return this.state.invalidateSeq;
  }

  /** `mmu_invalidate_in_progress`: range invalidations between start and end now. */
  get inProgress(): number {
    return this.state.inProgress;
  }

  /** Translations the mirror holds now. */
  get size(): number {
    return this.state.table.size;
  }

  /** A device load of the word at `address` (a vCPU read through its spte). EFAULT when nothing readable is mapped there. */
  async read(task: Task, address: number): Promise<number> {
    const page = pageOf(address);
    for (let i = 0; i < CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS; i++) {
      const h = this.state.table.get(page) ?? (await this.fault(this.state, task, page, false));
      try {
        return await this.device.read(task, h);
      } catch (error) {
        if (h.live) throw error; // zapped while waiting: a TLB miss, fault again
      }
    }
    throw busy(this.device, address);
  }

  /** A device store of `value` at `address`. EFAULT when nothing is mapped there, EPERM when the mapping is not writable. */
  async write(task: Task, address: number, value: number): Promise<void> {
    const page = pageOf(address);
    for (let i = 0; i < CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS; i++) {
      const found = this.state.table.get(page);
      const h: DeviceTranslation = found?.writable === true ? found : await this.fault(this.state, task, page, true);
      try {
        await this.device.write(task, h, value);
        return;
      } catch (error) {
        if (h.live && h.writable) throw error; // zapped while waiting: fault again
      }
    }
    throw busy(this.device, address);
  }

  /** Fault `pages` pages from `start` in, read-only, without accessing them (KVM's `kvm_mmu_pre_fault_memory`, dmirror's prefetch). */
  async prefetch(task: Task, start: number, pages: number): Promise<void> {
    const first = pageOf(start);
    for (let i = 0; i < pages; i++) {
      const address = first + i * PAGE_SIZE;
      if (this.state.table.get(address) === undefined) await this.fault(this.state, task, address, false);
    }
  }

  /**
   * Close the device: `mmu_notifier_unregister` (which runs `release` if the
   * subscription is still listed, and waits for callbacks in flight), then zap whatever
   * is left under `mmu_lock`. A second call does nothing. Afterwards no translation remains and
   * none will be made. Kernel counterpart: `kvm_destroy_vm()` →
   * `mmu_notifier_unregister()` then `kvm_arch_flush_shadow_all()`.
   */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    await mmuNotifierUnregister(task, this.subscription, this.mm);
    await withMmuLock(this.state.mmuLock, task, () => {
      this.state.closed = true;
      this.state.table.zapAll();
    });
  }
}

function pageOf(address: number): number {
  if (!Number.isSafeInteger(address) || address < 0) throw new SmmuError('EINVAL', `classic-mirror: ${String(address)} is not a user address`);
  return address - (address % PAGE_SIZE);
}

function busy(device: DeviceMmu, address: number): SmmuError {
  return new SmmuError('EAGAIN', `${device.name}: access at 0x${address.toString(16)} kept losing its translation`);
}
