import { PAGE_SIZE, SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import { mmuNotifierUnregister, type DeviceMmu, type MmuNotifier } from '@secondary-mmu/mmu-notifier';
import { KVM_SPTE_MAX_FAULT_ATTEMPTS, kvmGuestFault } from './fault.js';
import { withMmuLock } from './locked.js';
import type { Memslot, MemslotSpec } from './memslot.js';
import { addMemslot, deleteMemslot } from './memslot-ops.js';
import type { KvmRetryCheck } from './retry.js';
import type { Spte } from './spte.js';
import type { KvmSpteStats } from './stats.js';
import type { KvmVm } from './vm.js';

/**
 * One VM bound to one mm: the testkit's `DriverInstance` (structurally). `read` and
 * `write` are guest accesses at a host address of the mm, which a memslot maps to a
 * guest frame; `guestRead` / `guestWrite` access a guest frame directly. An access with
 * an spte goes through its device translation (setting its accessed, and on a write its
 * dirty, bit); without one it takes a guest fault ({@link kvmGuestFault}). An spte
 * zapped while the access waited at the device is a TLB miss: the access faults again.
 *
 * Kernel counterpart: a KVM VM (`struct kvm` with its `mmu_notifier`), the accesses
 * being vCPU loads and stores through its sptes; `detach` is the VM's destruction
 * (`kvm_destroy_vm()`).
 */
export class KvmSpteInstance {
  /** The device MMU the vCPUs' accesses go through (its translations are the sptes). */
  readonly device: DeviceMmu;
  /** The mm whose memory the memslots map (the VMM process's). */
  readonly mm: Mm;
  private detached = false;

  constructor(
    /** The VM's state (memslots, sptes, counters). */
    readonly vm: KvmVm,
    /** The registered subscription. */
    readonly subscription: MmuNotifier,
    /** The fault path's retry check (the era's unless a variant injects a broken one). */
    private readonly retry: KvmRetryCheck,
  ) {
    this.device = vm.device;
    this.mm = vm.mm;
  }

  /** The VM's counters: faults, retries, installs, zaps, flushes, aging answers. */
  get stats(): Readonly<KvmSpteStats> {
    return this.vm.stats;
  }

  /** `mmu_invalidate_seq`: completed invalidations seen. */
  get invalidateSeq(): number {
    return this.vm.invalidateSeq;
  }

  /** `mmu_invalidate_in_progress`: range invalidations between start and end now. */
  get inProgress(): number {
    return this.vm.inProgress;
  }

  /** Sptes present now. */
  get size(): number {
    return this.vm.sptes.size;
  }

  /** The present sptes, by gfn. */
  sptes(): Spte[] {
    return this.vm.sptes.list();
  }

  /** The memslots, by slot number. */
  memslots(): Memslot[] {
    return this.vm.memslots.list();
  }

  /** Add a memslot (see {@link addMemslot}). Kernel counterpart: `KVM_SET_USER_MEMORY_REGION`. */
  setMemslot(task: Task, spec: MemslotSpec): Promise<Memslot> {
    return addMemslot(this.vm, task, spec);
  }

  /** Delete memslot `slot` and zap its sptes (see {@link deleteMemslot}). Kernel counterpart: `KVM_SET_USER_MEMORY_REGION` with size 0. */
  deleteMemslot(task: Task, slot: number): Promise<void> {
    return deleteMemslot(this.vm, task, slot);
  }

  /** A guest load of the word at host address `address`. EFAULT when no memslot maps it or nothing readable is mapped there. */
  async read(task: Task, address: number): Promise<number> {
    return this.guestRead(task, this.gfnOf(address));
  }

  /** A guest store of `value` at host address `address`. EFAULT when no memslot or nothing is mapped there, EPERM when the mapping is not writable. */
  async write(task: Task, address: number, value: number): Promise<void> {
    return this.guestWrite(task, this.gfnOf(address), value);
  }

  /** A guest load from guest frame `gfn`. Kernel counterpart: a vCPU load through its spte (or an EPT violation first). */
  async guestRead(task: Task, gfn: number): Promise<number> {
    this.checkGfn('guestRead', gfn);
    for (let i = 0; i < KVM_SPTE_MAX_FAULT_ATTEMPTS; i++) {
      const spte = this.vm.sptes.get(gfn) ?? (await this.fault(task, gfn, false));
      if (spte === undefined) continue;
      try {
        return await this.device.read(task, spte.handle);
      } catch (error) {
        if (spte.handle.live) throw error; // flushed while waiting: a TLB miss, fault again
      }
    }
    throw this.busy(gfn);
  }

  /** A guest store of `value` to guest frame `gfn`. Kernel counterpart: a vCPU store through its spte (or an EPT violation first). */
  async guestWrite(task: Task, gfn: number, value: number): Promise<void> {
    this.checkGfn('guestWrite', gfn);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new SmmuError('EINVAL', `${this.device.name}: guestWrite of ${String(value)}: not a 32-bit unsigned word`);
    for (let i = 0; i < KVM_SPTE_MAX_FAULT_ATTEMPTS; i++) {
      const found = this.vm.sptes.get(gfn);
      const spte = found?.writable === true ? found : await this.fault(task, gfn, true);
      if (spte === undefined) continue;
      try {
        await this.device.write(task, spte.handle, value);
        return;
      } catch (error) {
        if (spte.handle.live && spte.handle.writable) throw error; // flushed while waiting: fault again
      }
    }
    throw this.busy(gfn);
  }

  /** Fault `pages` pages from host address `start` in, read-only, without accessing them. Kernel counterpart: `kvm_mmu_pre_fault_memory()` (`KVM_PRE_FAULT_MEMORY`). */
  async prefetch(task: Task, start: number, pages: number): Promise<void> {
    if (!Number.isSafeInteger(pages) || pages <= 0) throw new SmmuError('EINVAL', `${this.device.name}: prefetch of ${String(pages)} pages: not a positive integer`);
    const first = start - (start % PAGE_SIZE);
    for (let i = 0; i < pages; i++) {
      const gfn = this.gfnOf(first + i * PAGE_SIZE);
      if (this.vm.sptes.get(gfn) === undefined) await this.fault(task, gfn, false);
    }
  }

  /**
   * Destroy the VM. A second call does nothing.
   *
   * - `v6`, as `kvm_destroy_vm()`: `mmu_notifier_unregister`, which calls the VM's
   *   `release` while the subscription is still listed (close, zap every spte, flush
   *   under `mmu_lock`); then, as `kvm_arch_destroy_vm()`, close and zap whatever is
   *   left (nothing, unless the exit's `release` already ran and a fault raced it).
   * - 2008 eras: close, zap every spte and flush under `mmu_lock`, *then*
   *   `mmu_notifier_unregister`. 2.6.27's `kvm_destroy_vm()` did it the other way
   *   round — unregister (no callback: its KVM had no `release`), then
   *   `kvm_arch_destroy_vm()` freed the shadow pages, putting each spte's page. Nothing
   *   can tell the two apart there: no vCPU runs any more and every spte holds its page,
   *   so none is freed in between; but the oracle's leak rule judges what the device still
   *   holds when the unregister returns, so the model zaps first.
   *
   * Kernel counterpart: `kvm_destroy_vm()`.
   */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    if (this.vm.era === 'v6') {
      await mmuNotifierUnregister(task, this.subscription, this.mm);
      await this.destroySptes(task);
      return;
    }
    await this.destroySptes(task);
    await mmuNotifierUnregister(task, this.subscription, this.mm);
  }

  /** Close the VM and zap and flush every spte under `mmu_lock`. Kernel counterpart: `kvm_arch_destroy_vm()` → `kvm_mmu_destroy()` / `kvm_flush_shadow_all()`. */
  private async destroySptes(task: Task): Promise<void> {
    const { vm } = this;
    await withMmuLock(vm.mmuLock, task, () => {
      vm.closed = true;
      if (vm.sptes.zapAll() > 0 || vm.tlb.stale > 0) vm.tlb.flush(task);
    });
  }

  private fault(task: Task, gfn: number, write: boolean): Promise<Spte | undefined> {
    if (this.detached) throw new SmmuError('EFAULT', `${this.device.name}: the VM is destroyed`);
    return kvmGuestFault(this.vm, task, gfn, write, this.retry);
  }

  private checkGfn(what: string, gfn: number): void {
    if (!Number.isSafeInteger(gfn) || gfn < 0) throw new SmmuError('EINVAL', `${this.device.name}: ${what}: ${String(gfn)} is not a guest frame number`);
  }

  private gfnOf(address: number): number {
    if (!Number.isSafeInteger(address) || address < 0) throw new SmmuError('EINVAL', `${this.device.name}: ${String(address)} is not a host address`);
    const found = this.vm.memslots.byHva(address - (address % PAGE_SIZE));
    if (found === undefined) throw new SmmuError('EFAULT', `${this.device.name}: host address 0x${address.toString(16)} is in no memslot`);
    return found.gfn;
  }

  private busy(gfn: number): SmmuError {
    return new SmmuError('EAGAIN', `${this.device.name}: access to gfn 0x${gfn.toString(16)} kept losing its spte`);
  }
}
