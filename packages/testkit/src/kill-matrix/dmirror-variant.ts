import { DMIRROR_CAPABILITIES } from '../dmirror/capabilities.js';
import { DmirrorInstance, type DmirrorOptions } from '../dmirror/instance.js';
import type { DriverFactory } from '../contract.js';

/** The one change a dmirror variant makes: an `invalidate` or a `doFault` replacing the reference's. Kernel counterpart: none. */
export type DmirrorChange = Pick<DmirrorOptions, 'invalidate' | 'doFault'>;

/**
 * The reference `dmirror` with one change: `DmirrorInstance.open` itself, with
 * `change`'s hook in place of the reference's. `v6` only. Kernel counterpart: none (a
 * mutant of `lib/test_hmm.c`).
 */
export function dmirrorVariant(name: string, change: DmirrorChange): DriverFactory {
  return {
    name,
    capabilities: DMIRROR_CAPABILITIES,
    eras: ['v6'],
    attach: (task, machine, mm) => DmirrorInstance.open(task, machine, mm, { ...change, name }),
  };
}
