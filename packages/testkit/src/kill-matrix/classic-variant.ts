import type { MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { Machine } from '@secondary-mmu/core-mm';
import { CLASSIC_MIRROR_CAPABILITIES } from '../classic-mirror/capabilities.js';
import { attachClassicMirror } from '../classic-mirror/factory.js';
import type { ClassicMirrorFaultPath } from '../classic-mirror/fault.js';
import type { ClassicMirrorState } from '../classic-mirror/state.js';
import type { DriverFactory } from '../contract.js';

/** The one change a classic-mirror variant makes. Kernel counterpart: none. */
export interface ClassicChange {
  /** Replace some of `classicMirrorOps`' callbacks (mutate `ops`). */
  readonly ops?: (ops: MmuNotifierOps, state: ClassicMirrorState, machine: Machine) => void;
  /** Replace the device fault path (`classicMirrorFault`). */
  readonly fault?: ClassicMirrorFaultPath;
}

/**
 * The reference `classicMirror` with one change: `attachClassicMirror` itself — the same
 * state, table, ops, `ClassicMirrorInstance` — with the ops patched by `change.ops` and
 * the fault path replaced by `change.fault`. Every era. Kernel counterpart: none (a
 * mutant of KVM's MMU notifier).
 */
export function classicVariant(name: string, change: ClassicChange): DriverFactory {
  return {
    name,
    capabilities: CLASSIC_MIRROR_CAPABILITIES,
    eras: ['rfc-2008', 'v2.6.27', 'v6'],
    attach: (task, machine, mm) =>
      attachClassicMirror(task, machine, mm, {
        name,
        ...(change.ops === undefined ? {} : { patchOps: change.ops }),
        ...(change.fault === undefined ? {} : { fault: change.fault }),
      }),
  };
}
