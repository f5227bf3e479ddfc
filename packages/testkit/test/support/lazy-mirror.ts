import { andThen } from '@secondary-mmu/core-mm';
import { withMmuLock } from '../../src/classic-mirror/index.js';
import { classicVariant } from '../../src/kill-matrix/index.js';

/**
 * A deliberately broken driver: classicMirror, but its `invalidate_range_start` only
 * counts — it never drops a translation. It still answers 0, so what the tests catch is
 * the coherence bug, not a `notifier-warn` about the answer.
 */
export const lazyMirror = classicVariant('lazy-mirror', {
  ops(ops, state) {
    ops.invalidateRangeStart = (t) => andThen(withMmuLock(state.mmuLock, t, () => void state.inProgress++), () => 0);
  },
});
