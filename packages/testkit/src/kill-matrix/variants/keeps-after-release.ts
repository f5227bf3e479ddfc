import { classicMirror } from '../../classic-mirror/factory.js';
import { withMmuLock } from '../../classic-mirror/locked.js';
import { classicVariant } from '../classic-variant.js';
import { EXIT_AFTER_DEVICE_READ } from '../scenarios/exit-after-device-read.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's `release` closing the mirror without zapping it. Deterministic:
 * any exit while the device holds translations leaves them pointing at freed frames.
 * Kernel counterpart: `kvm_mmu_notifier_release` without `kvm_flush_shadow_all`.
 */
export const KEEPS_AFTER_RELEASE: KillMatrixVariant = {
  name: 'keeps-after-release',
  bug: 'release marks the mirror closed but does not zap its translations',
  race: false,
  driver: classicVariant('keeps-after-release', {
    ops(ops, state) {
      ops.release = (task) => withMmuLock(state.mmuLock, task, () => void (state.closed = true));
    },
  }),
  reference: classicMirror,
  scenario: EXIT_AFTER_DEVICE_READ,
  era: 'v6',
  expectedKinds: ['leak'],
  schedules: 20,
};
