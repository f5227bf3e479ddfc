import type { Machine, Violation } from '@secondary-mmu/core-mm';
import type { Subscriber } from '../events.js';
import { oracleCoreOf, type DeviceMmu, type DeviceTranslation } from './device-mmu.js';
import { ORACLE_VIOLATION_KINDS } from './kinds.js';
import type { OracleCore } from './oracle-core.js';

const KEY = '@secondary-mmu/mmu-notifier:oracle';
const KINDS: ReadonlySet<string> = new Set(ORACLE_VIOLATION_KINDS);

/**
 * The coherence oracle of one machine: it judges every device access made through a
 * {@link DeviceMmu} twice — by outcome (use-after-free, stale read, lost write, write
 * through a read-only primary; plus aging answers and leaks, for every driver in every
 * era) and by the rules of the device's driver class (accesses and new translations
 * inside invalidation windows for drivers without references, late flushes for TLBs
 * sharing the CPU page table) — and reports each finding as a machine violation of a
 * stable kind ({@link ORACLE_VIOLATION_KINDS}) naming the device, address, pfn and
 * what happened. It listens to the notifier core (callbacks and their returns,
 * lifecycle) and to core-mm's observation face (PTE changes, CPU stores, frame frees
 * and allocations, clean epochs, reclaim scans). Made on first use by
 * {@link coherenceOracle}; its state lives on the machine.
 *
 * Every finding goes through `machine.reportViolation`, so a strict machine throws at
 * the first — from the device access, or, like might-sleep and lockdep findings, from
 * inside the core-mm operation or callback return where the oracle noticed it (a PTE
 * change, a frame free, a scan, `release` returning).
 *
 * Kernel counterpart: none — the kernel cannot see device accesses. It checks the
 * contract of `include/linux/mmu_notifier.h` and `Documentation/mm/mmu_notifier.rst`.
 */
export class CoherenceOracle {
  readonly machine: Machine;
  /** The judging itself, which device MMUs feed; this class is its public face. */
  private readonly core: OracleCore<DeviceTranslation>;

  constructor(machine: Machine) {
    this.machine = machine;
    this.core = oracleCoreOf(machine);
  }

  /** Every device MMU made on this machine, in creation order. */
  get devices(): readonly DeviceMmu[] {
    return this.core.devices;
  }

  /** The device MMUs answering for `subscriber` (empty when none). */
  devicesFor(subscriber: Subscriber): readonly DeviceMmu[] {
    return this.core.devicesFor(subscriber);
  }

  /** The oracle's findings so far: the machine's violations of the oracle's kinds, in order. */
  violations(): Violation[] {
    return this.machine.report.violations.filter((v) => KINDS.has(v.kind));
  }
}

/** The coherence oracle of `machine`, made (and listening) on first use. Kernel counterpart: none. */
export function coherenceOracle(machine: Machine): CoherenceOracle {
  return machine.extension(KEY, (m) => new CoherenceOracle(m));
}
