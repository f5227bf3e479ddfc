import type { HmmPfn, Machine, Mm, Mutex, Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, MmuIntervalNotifier } from '@secondary-mmu/mmu-notifier';
import type { MirrorTable } from './mirror-table.js';

/**
 * What dmirror's fault, access and invalidate paths work on: one open device's state,
 * which {@link DmirrorInstance} holds. The paths take this rather than the instance, whose
 * methods call them.
 *
 * Kernel counterpart: `struct dmirror` (lib/test_hmm.c).
 */
export interface DmirrorState {
  readonly machine: Machine;
  /** The mirrored address space. */
  readonly mm: Mm;
  /** The device's name (its `DeviceMmu` and interval notifier). */
  readonly name: string;
  /** The device MMU every access goes through (`driverClass: 'no-references'`). */
  readonly device: DeviceMmu;
  /** `dmirror->notifier`. */
  readonly notifier: MmuIntervalNotifier;
  /** `dmirror->mutex`. */
  readonly mutex: Mutex;
  /** `dmirror->pt`. */
  readonly table: MirrorTable;
  /** Device faults taken by reads and writes (`cmd->faults`, summed). */
  faults: number;
  /** Times the fault loop found `mmuIntervalReadRetry` true and started over. */
  retries: number;
  /** Non-blockable invalidations answered false because the mutex was held. */
  contendedInvalidations: number;
  /** Set (under the mutex) when the device is closed: nothing is installed afterwards. */
  readonly closed: boolean;
  /** The fault's commit step, when not `dmirrorDoFault` (a mutant that tests the testkit). */
  readonly doFault?: ((dmirror: DmirrorState, task: Task, start: number, pfns: readonly HmmPfn[]) => void | Promise<void>) | undefined;
}
