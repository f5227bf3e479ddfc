/*
 * The coherence oracle (docs/notifier.md):
 * device memory is reachable only through translation handles a DeviceMmu issues, and
 * every access is judged by outcome and by the rules of the driver's class.
 */
export { DeviceMmu, DeviceTranslation } from './device-mmu.js';
export type { DeviceMmuOptions, DeviceSubscription } from './device-options.js';
export { DRIVER_CLASSES, isDriverClass, type DriverClass } from './driver-class.js';
export type { PageHold } from './page-hold.js';
export { CoherenceOracle, coherenceOracle } from './oracle.js';
export { ORACLE_VIOLATION_KINDS, type OracleViolationKind } from './kinds.js';
