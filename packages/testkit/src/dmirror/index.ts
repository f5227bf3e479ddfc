/**
 * dmirror, the reference driver: `lib/test_hmm.c`'s mirror without device-private
 * memory (migration, snapshots and exclusive access are not modelled).
 */
export { DMIRROR_CAPABILITIES } from './capabilities.js';
export { MirrorTable } from './mirror-table.js';
export { dmirrorIntervalInvalidate } from './invalidate.js';
export { dmirrorDoFault } from './do-fault.js';
export { dmirrorRangeFault, HMM_RANGE_DEFAULT_TIMEOUT_NS } from './range-fault.js';
export { dmirrorFault, DMIRROR_FAULT_CHUNK } from './fault.js';
export { dmirrorAccess, dmirrorRead, dmirrorWrite } from './access.js';
export { DmirrorInstance, type DmirrorOptions } from './instance.js';
export type { DmirrorState } from './state.js';
export { dmirror } from './factory.js';
