import { SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import type { DriverInstance } from './contract.js';

/**
 * A base for the common `DriverInstance`: a device that reaches memory only through
 * translations it faults in on demand. A subclass provides the device fault
 * ({@link MirrorDriver.translate}) and how to unregister its notifier
 * ({@link MirrorDriver.unregister}); the base class gives it:
 *
 * - `read` and `write`: fault a translation in, access through the `DeviceMmu`, and when
 *   the translation was zapped (or write-protected, for a write) before or while the
 *   access waited at the device's preemption point — a device TLB miss — fault again,
 *   up to {@link MirrorDriver.maxFaultAttempts} times (then EAGAIN). Any other error,
 *   including one from `translate`, is the access's answer and propagates.
 * - `detach`: once only, {@link MirrorDriver.unregister} then
 *   {@link MirrorDriver.dropTranslations} (every translation of `mm` still live). After
 *   it, `read` and `write` reject with EFAULT without faulting.
 *
 * Every member may be overridden. `prefetch`, optional in the contract, is left to
 * subclasses whose device can fault without accessing.
 *
 * Kernel counterpart: none as a class — the shape shared by KVM's vCPU access path
 * (a zapped spte is a new page fault), GRU's TLB-miss dropin and test_hmm's
 * `dmirror_do_read` → `dmirror_fault` loop; `detach` is the device file's release
 * (`kvm_destroy_vm`, `dmirror_fops_release`).
 */
export abstract class MirrorDriver implements DriverInstance {
  /** The device MMU every access goes through. */
  readonly device: DeviceMmu;
  /** The mm this instance mirrors. */
  readonly mm: Mm;
  /**
   * How many translations one access may lose in a row before it gives up with EAGAIN:
   * a guard against a `translate` that keeps returning dead handles, far above what a
   * correct driver meets under any schedule.
   */
  protected readonly maxFaultAttempts: number = 1000;
  private closed = false;

  constructor(device: DeviceMmu, mm: Mm) {
    this.device = device;
    this.mm = mm;
  }

  /** True once `detach` has begun. */
  get detached(): boolean {
    return this.closed;
  }

  /**
   * The device fault: a live translation of the page of `address` in `mm`, writable if
   * `write`, faulting one in when the device has none (reusing one it has is fine). May
   * sleep. Reject with the model's error (EFAULT: nothing mapped; EPERM: not writable)
   * when the primary cannot give one; that error is what `read`/`write` reject with.
   * Kernel counterpart: the driver's fault handler — `hmm_range_fault` in
   * `dmirror_fault`, KVM's `kvm_tdp_page_fault`, GRU's `gru_try_dropin`.
   */
  protected abstract translate(task: Task, address: number, write: boolean): DeviceTranslation | Promise<DeviceTranslation>;

  /**
   * Unregister the notifier (`detach`'s first step): afterwards no callback of this
   * instance runs. Kernel counterpart: `mmu_notifier_unregister` /
   * `mmu_interval_notifier_remove`.
   */
  protected abstract unregister(task: Task): void | Promise<void>;

  /**
   * Drop every translation still held (`detach`'s second step, after `unregister`).
   * Default: `device.dropAll(mm)`. Override to also clear a table of your own or to
   * take your lock. Kernel counterpart: `kvm_arch_flush_shadow_all`, freeing
   * dmirror's mirror table.
   */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- overrides that take a lock need the task
  protected dropTranslations(_task: Task): void | Promise<void> {
    this.device.dropAll(this.mm);
  }

  /** The device reads the word at `address` (see the class notes for the retry). */
  read(task: Task, address: number): Promise<number> {
    return this.access(task, address, false, (h) => this.device.read(task, h));
  }

  /** The device writes `value` at `address` (see the class notes for the retry). */
  write(task: Task, address: number, value: number): Promise<void> {
    return this.access(task, address, true, (h) => this.device.write(task, h, value));
  }

  /** Close the device: `unregister`, then `dropTranslations`. A second call does nothing. */
  async detach(task: Task): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.unregister(task);
    await this.dropTranslations(task);
  }

  private async access<T>(task: Task, address: number, write: boolean, through: (h: DeviceTranslation) => T | Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < this.maxFaultAttempts; attempt++) {
      // A translation made after detach would outlive the notifier that zaps it: a leak.
      if (this.closed) throw new SmmuError('EFAULT', `${this.device.name}: ${write ? 'write' : 'read'} at ${hex(address)} after detach`);
      const h = await this.translate(task, address, write);
      const writable = h.writable;
      try {
        return await through(h);
      } catch (error) {
        // A zap (or, for a write, a write-protect) before or during the access is a device TLB miss.
        if (h.live && !(write && writable && !h.writable)) throw error;
      }
    }
    throw new SmmuError('EAGAIN', `${this.device.name}: ${write ? 'write' : 'read'} at ${hex(address)} lost its translation ${this.maxFaultAttempts} times in a row`);
  }
}

function hex(address: number): string {
  return `0x${address.toString(16)}`;
}
