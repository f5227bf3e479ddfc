/**
 * The SVA reference driver: a device that walks the CPU page table itself and caches it
 * in an IOTLB, flushed by `arch_invalidate_secondary_tlbs`.
 */
export { SVA_CAPABILITIES } from './capabilities.js';
export { SvaInstance } from './instance.js';
export { svaMirror } from './factory.js';
export { withSecondaryTlbCallbacks } from './windows.js';
