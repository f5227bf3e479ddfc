/**
 * `@secondary-mmu/xpmem-messaging/variants`: XPMEM drivers that are wrong on purpose —
 * the end-only recall of today's `hpc/xpmem`, and the start-mode driver declared for
 * `v2.6.27`, whose callbacks cannot sleep — for tests and the kill matrix.
 *
 * @packageDocumentation
 */
export { createXpmemEndOnly, xpmemEndOnly, xpmemV2627 } from './variants.js';
export { xpmemEndOnlyOps } from '../notifier-classic.js';
