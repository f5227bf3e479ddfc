import type { Era, Machine, Mm, Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import type { DriverCapabilities } from './capabilities.js';

/**
 * One driver instance mirroring one address space: what the conformance suite, the
 * scenarios and the explorer drive. The required surface is small — a device access
 * in each direction and a detach; everything the driver does to the kernel (notifier
 * registration, get_user_pages, locks) happens behind it, and every device access
 * goes through the `DeviceMmu`'s translation handles, so the coherence oracle
 * judges it.
 *
 * Kernel counterpart: a device file descriptor bound to an mm (test_hmm's
 * `/dev/hmm_dmirror`, a KVM VM, a GRU context, an XPMEM segment): `read`/`write` are
 * the device's own accesses (a dmirror read/write ioctl, a vCPU access, a GRU
 * instruction), `detach` is closing the file.
 */
export interface DriverInstance {
  /** The device MMU its accesses go through. */
  readonly device: DeviceMmu;
  /** The mm it mirrors. */
  readonly mm: Mm;
  /**
   * The device reads the word at `address`, faulting a translation in first when it
   * has none (a device fault: `hmm_range_fault`, get_user_pages, a TLB dropin).
   * Rejects with the model's error (EFAULT, EPERM, SIGSEGV-like) when the primary
   * cannot give it one.
   */
  read(task: Task, address: number): number | Promise<number>;
  /** The device writes `value` at `address`, faulting a writable translation in first when needed. */
  write(task: Task, address: number, value: number): void | Promise<void>;
  /**
   * Optional: fault `[start, start + pages · PAGE_SIZE)` in without accessing it (a
   * prefetch, `HMM_DMIRROR_READ` without the copy). Scenarios that need it skip drivers
   * without it.
   */
  prefetch?(task: Task, start: number, pages: number): void | Promise<void>;
  /** Tear everything down and unregister (closing the device). Afterwards no translation or pin may remain. */
  detach(task: Task): void | Promise<void>;
}

/**
 * What a third-party driver hands the testkit: a name, its capabilities, the eras it
 * supports, and `attach`, which makes an instance on an mm (registering its notifier).
 */
export interface DriverFactory {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** The eras the driver is written for; the suite runs each scenario in each. */
  readonly eras: readonly Era[];
  /** Attach to `mm` on `machine`, from `task` (which may take `mm`'s mmap lock). */
  attach(task: Task, machine: Machine, mm: Mm): DriverInstance | Promise<DriverInstance>;
}
