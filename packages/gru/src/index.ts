/**
 * `@secondary-mmu/gru`: an SGI-GRU-like secondary MMU over the secondary-mmu-sdk model —
 * a TLB-only device with contexts (ASIDs) and small LRU TLBs, dropins from a TLB-miss
 * interrupt and from a user path, the hardware rule that discards a stale dropin, and
 * the GRU's notifier callbacks per kernel era. `gru` is the driver for the testkit.
 *
 * @packageDocumentation
 */
export { gru, createGruDriver, type GruDriverFactory, type GruDriverOptions } from './factory.js';
export { GRU_CAPABILITIES } from './capabilities.js';
export { GruInstance, GRU_MAX_ACCESS_ATTEMPTS } from './instance.js';
export { GruContext, type GruFault } from './context.js';
export { GruTlb } from './tlb.js';
export { GruMmStruct, GRU_MAX_INVAL_PAGES, type GruFlushTarget } from './gms.js';
export { gruMmuOps, GRU_NAME } from './notifier-ops.js';
export { gruRegisterMmuNotifier, gruDropMmuNotifier } from './register.js';
export { gruTryDropin, gruTlbDropin, type GruDropinOutcome } from './dropin.js';
export { gruUserDropin, GRU_MAX_USER_DROPINS } from './user-dropin.js';
export { gruAtomicLookup, gruNonAtomicLookup } from './vtop.js';
export type { GruDropinHost } from './host.js';
export { GRU_RULES, type GruRules } from './flavour.js';
export { emptyGruTlbStats, type GruTlbStats } from './stats.js';
export { resolveGruDeviceOptions, GRU_DEFAULT_TLB_SIZE, GRU_DEFAULT_CONTEXTS, type GruDeviceOptions, type ResolvedGruDeviceOptions } from './options.js';
