import { classicMirror } from '../../classic-mirror/factory.js';
import { classicMirrorFault } from '../../classic-mirror/fault.js';
import { classicVariant } from '../classic-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's fault checking only the sequence, not `inProgress`: a fault that
 * read the sequence after an invalidation's start installs between that start and its
 * end (the sequence moves only at the end), and the device then uses that translation
 * in the window or after the page is freed. A race: the fault must run inside munmap's
 * start/end window. Kernel counterpart: `mmu_invalidate_retry()` without its
 * `mmu_invalidate_in_progress` test.
 */
export const INSTALLS_IN_WINDOW: KillMatrixVariant = {
  name: 'installs-in-window',
  bug: 'the device fault checks only the sequence, not inProgress, and installs between invalidate_range_start and _end',
  race: true,
  driver: classicVariant('installs-in-window', {
    fault: (state, task, address, write) => classicMirrorFault(state, task, address, write, (s, seq) => s.invalidateSeq !== seq),
  }),
  reference: classicMirror,
  scenario: 'fault-vs-munmap',
  era: 'v6',
  expectedKinds: ['map-in-invalidation', 'access-in-invalidation', 'use-after-free'],
  schedules: 60,
};
