import type { Machine, Mm, Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, type MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import { CLASSIC_MIRROR_CAPABILITIES } from '../classic-mirror/capabilities.js';
import { ClassicMirrorInstance } from '../classic-mirror/instance.js';
import { classicMirrorOps } from '../classic-mirror/notifier-ops.js';
import { ClassicMirrorState } from '../classic-mirror/state.js';
import type { DriverFactory } from '../contract.js';
import type { ClassicFault } from './buggy-faults.js';
import { VariantMirrorInstance } from './variant-instance.js';

/** The one change a classic-mirror variant makes. */
export interface ClassicChange {
  /** Replace some of `classicMirrorOps`' callbacks (mutate `ops`). */
  readonly ops?: (ops: MmuNotifierOps, state: ClassicMirrorState, machine: Machine) => void;
  /** Replace the device fault. */
  readonly fault?: ClassicFault;
}

/**
 * A `classicMirror` with one change: its state, table, ops and fault reused, the ops
 * patched by `change.ops` and the fault replaced by `change.fault`. Every era. Kernel
 * counterpart: none (a mutant of KVM's MMU notifier).
 */
export function classicVariant(name: string, change: ClassicChange): DriverFactory {
  return {
    name,
    capabilities: CLASSIC_MIRROR_CAPABILITIES,
    eras: ['rfc-2008', 'v2.6.27', 'v6'],
    async attach(task: Task, machine: Machine, mm: Mm) {
      const device = new DeviceMmu(machine, { name, driverClass: 'no-references' });
      const state = new ClassicMirrorState(machine, mm, device);
      const ops = classicMirrorOps(state, machine.era);
      change.ops?.(ops, state, machine);
      const subscription = new MmuNotifier(ops, name);
      device.answerFor(subscription);
      await mmuNotifierRegister(task, subscription, mm);
      return change.fault === undefined ? new ClassicMirrorInstance(state, subscription) : new VariantMirrorInstance(state, subscription, change.fault);
    },
  };
}
