import { dmirror } from '../../dmirror/factory.js';
import { dmirrorIntervalInvalidate } from '../../dmirror/invalidate.js';
import { dmirrorVariant } from '../dmirror-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * dmirror's `invalidate` treating every range as blockable, so it takes `dmirror->mutex`
 * with a sleeping lock in the OOM reaper's non-blockable unmap instead of `trylock`.
 * Deterministic: the reaper's unmap may sleep on every schedule that reaps. Kernel
 * counterpart: `mutex_lock()` inside `non_block_start()` — "sleeping function called
 * from invalid context" under `CONFIG_DEBUG_ATOMIC_SLEEP`.
 */
export const LOCKS_WHEN_NON_BLOCKABLE: KillMatrixVariant = {
  name: 'locks-when-non-blockable',
  bug: "dmirror's invalidate takes dmirror->mutex with mutex_lock even when the range is not blockable (the OOM reaper), instead of trylock and answering false",
  race: false,
  driver: dmirrorVariant('locks-when-non-blockable', {
    invalidate: (dm, task, isub, range, curSeq) => dmirrorIntervalInvalidate(dm, task, isub, { ...range, blockable: true }, curSeq),
  }),
  reference: dmirror,
  scenario: 'oom-kill-vs-device-access',
  era: 'v6',
  expectedKinds: ['might-sleep'],
  schedules: 20,
};
