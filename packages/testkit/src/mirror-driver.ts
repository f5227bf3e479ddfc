import { isSmmuError, PAGE_SIZE, SmmuError, WaitQueue, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import type { DriverInstance } from './contract.js';

/** Where `detach` is: `dropping` and `unregistering` while it runs (the instance is closed from its first step). */
type DetachState = 'open' | 'dropping' | 'unregistering' | 'detached';

/**
 * A base for the common `DriverInstance`: a device that reaches memory only through
 * translations it faults in on demand. A subclass provides the device fault
 * ({@link MirrorDriver.translate}) and how to unregister its notifier
 * ({@link MirrorDriver.unregister}); the base class gives it:
 *
 * - `read` and `write`: fault a translation in, access through the `DeviceMmu`, and when
 *   the translation was zapped (or write-protected, for a write) while the access waited
 *   at the device's preemption point — a device TLB miss — fault again, up to
 *   {@link MirrorDriver.maxFaultAttempts} times (then EAGAIN). Any other error,
 *   including one from `translate`, is the access's answer and propagates. A
 *   translation that `translate` returns unusable — not this device's, not the page
 *   asked for, covered by none of the device's subscriptions (when it has any: one per
 *   region or per mm, see `DeviceMmu.addSubscription`), already dropped, or read-only
 *   for a write — is a driver bug: EINVAL naming `translate` and the address, never a
 *   retry.
 * - `detach`: close the instance (from then on `read` and `write` reject with EFAULT
 *   without faulting, and {@link MirrorDriver.detached} is true), then
 *   {@link MirrorDriver.dropTranslations}, then {@link MirrorDriver.unregister}. The
 *   translations go before the notifier does, so nothing is left when the unregister
 *   returns — an interval notifier's remove never calls `->release` — and an access
 *   whose `translate` installs after the drop has that translation dropped and is
 *   EFAULT. Once it succeeded, a later call does nothing; a call while another is in
 *   flight waits for it. If a step throws, `detach` rejects with that error and the
 *   instance is open again (its translations may be gone: the device faults them in
 *   again), so `detach` can be retried.
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
   * How many translations one access may lose in a row, each zapped while the access
   * waited, before it gives up with EAGAIN: a guard against a livelock, far above what
   * a correct driver meets under any schedule.
   */
  protected readonly maxFaultAttempts: number = 1000;
  private state: DetachState = 'open';
  private detachWait: WaitQueue | null = null;

  constructor(device: DeviceMmu, mm: Mm) {
    this.device = device;
    this.mm = mm;
  }

  /**
   * True from the moment `detach` begins — before it drops anything — and for good
   * once it succeeded; false again if it failed. `translate` checks it under its lock
   * before installing. Kernel counterpart: none as such (a released file's private
   * data is freed once no fault can reach it); the model's dmirror keeps `closed`.
   */
  get detached(): boolean {
    return this.state !== 'open';
  }

  /**
   * The device fault: a live translation of the page of `address` in `mm`, writable if
   * `write`, faulting one in when the device has none (reusing one it has is fine). May
   * sleep. Reject with the model's error (EFAULT: nothing mapped; EPERM: not writable)
   * when the primary cannot give one; that error is what `read`/`write` reject with.
   *
   * Two rules:
   * - Install nothing once {@link MirrorDriver.detached} is true, checked under the same
   *   lock {@link MirrorDriver.dropTranslations} takes, with the install in the same
   *   critical section as the check (the seq/closed check dmirror and the tiny mirror
   *   make): a fault then either installed before the drop, which drops it, or sees
   *   `detached` and rejects (EFAULT). The base class backs this up — a translation
   *   returned after the drop is dropped and the access is EFAULT — but only a check
   *   under the lock keeps a translation from existing after the drop at all.
   * - Return a translation still live (and writable, for a write) when `translate`
   *   returns. Unlocking is a preemption point, so an invalidation may zap what you
   *   just installed before you return: look it up again (or fault again) rather than
   *   return it dead. A dead or read-only one is rejected as a driver bug (EINVAL).
   *
   * Kernel counterpart: the driver's fault handler — `hmm_range_fault` in
   * `dmirror_fault`, KVM's `kvm_tdp_page_fault`, GRU's `gru_try_dropin`.
   */
  protected abstract translate(task: Task, address: number, write: boolean): DeviceTranslation | Promise<DeviceTranslation>;

  /**
   * Unregister the notifier (`detach`'s last step, after
   * {@link MirrorDriver.dropTranslations}): afterwards no callback of this instance
   * runs. May sleep. Kernel counterpart: `mmu_notifier_unregister` /
   * `mmu_interval_notifier_remove`.
   */
  protected abstract unregister(task: Task): void | Promise<void>;

  /**
   * Drop every translation still held (`detach`'s first step after marking the
   * instance detached, before {@link MirrorDriver.unregister}, so the notifier never
   * goes while the device still maps something). Default: `device.dropAll(mm)`.
   * Override to take the lock your `translate` installs under (see its rules) and to
   * clear a table of your own. Kernel counterpart: `kvm_arch_flush_shadow_all`,
   * dmirror's table erase under `dmirror->mutex` in `dmirror_fops_release`.
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

  /**
   * Close the device: mark it detached, {@link MirrorDriver.dropTranslations}, then
   * {@link MirrorDriver.unregister}. Once it succeeded a second call does nothing; a
   * call while another task's is in flight waits for that one (a sleeping wait) and,
   * if it failed, detaches itself. A step that throws makes `detach` reject with its
   * error and leaves the instance open, so it can be retried.
   */
  async detach(task: Task): Promise<void> {
    while (this.state === 'dropping' || this.state === 'unregistering') {
      this.detachWait ??= new WaitQueue(this.device.machine, `${this.device.name}: detach`);
      await this.detachWait.waitUntil(task, () => this.state === 'open' || this.state === 'detached');
    }
    if (this.state === 'detached') return;
    this.state = 'dropping';
    try {
      await this.dropTranslations(task);
      this.state = 'unregistering';
      await this.unregister(task);
      this.state = 'detached';
    } catch (error) {
      this.state = 'open';
      throw error;
    } finally {
      this.detachWait?.wakeUp();
    }
  }

  private async access<T>(task: Task, address: number, write: boolean, through: (h: DeviceTranslation) => T | Promise<T>): Promise<T> {
    const what = `${this.device.name}: ${write ? 'write' : 'read'} at ${hex(address)}`;
    for (let attempt = 0; attempt < this.maxFaultAttempts; attempt++) {
      // A translation made after detach would outlive the notifier that zaps it: a leak.
      if (this.detached) throw SmmuError.answer('EFAULT', `${what} after detach`);
      const h = await this.translate(task, address, write);
      this.check(h, address, what);
      if (this.detached) {
        // Detached while translate ran. Before the drop step ends, the drop takes care of
        // h; after it, h was installed late (translate skipped its detached check).
        if (this.state !== 'dropping' && h.live) this.device.drop(h);
        throw SmmuError.answer('EFAULT', `${what} after detach`);
      }
      if (!h.live) throw new SmmuError('EINVAL', `${what}: translate returned ${h.toString()}, already dropped (a translation zapped after it was installed must be looked up or faulted again before translate returns)`);
      if (write && !h.writable) throw new SmmuError('EINVAL', `${what}: translate returned read-only ${h.toString()} for a write`);
      try {
        return await through(h);
      } catch (error) {
        // Live (and writable) when the access began: a zap (or write-protect) while it
        // waited at the device's preemption point is a device TLB miss. Anything else is
        // the access's answer.
        if (!(isSmmuError(error, 'EFAULT') && (!h.live || (write && !h.writable)))) throw error;
      }
    }
    throw new SmmuError('EAGAIN', `${what} lost its translation ${this.maxFaultAttempts} times in a row`);
  }

  /** EINVAL unless `h` is a translation of this device for the page of `address` in `mm`, covered by one of the device's subscriptions when it has any. */
  private check(h: DeviceTranslation, address: number, what: string): void {
    if (h === null || typeof h !== 'object' || h.device !== this.device) throw new SmmuError('EINVAL', `${what}: translate returned ${String(h)}, not a translation of this device`);
    const page = address - (address % PAGE_SIZE);
    if (h.mm !== this.mm || h.address !== page) throw new SmmuError('EINVAL', `${what}: translate returned ${h.toString()}, not one of the page ${hex(page)} in mm ${this.mm.id}`);
    // A device answering for several subscriptions (one per region, one per mm): one of them must cover it, or no invalidation would ever reach it.
    if (this.device.subscriptions.length > 0 && h.subscription === null) {
      throw new SmmuError('EINVAL', `${what}: translate returned ${h.toString()}, which none of the device's subscriptions (${this.device.subscriptions.map((s) => s.name).join(', ')}) covers`);
    }
  }
}

function hex(address: number): string {
  return typeof address === 'number' ? `0x${address.toString(16)}` : String(address);
}
