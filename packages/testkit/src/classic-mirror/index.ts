/*
 * classicMirror: the testkit's classic start/end reference driver (KVM-like), for
 * every era. One concept per file; this is its public face.
 */
export { classicMirror, attachClassicMirror, CLASSIC_MIRROR_NAME, type ClassicMirrorOptions } from './factory.js';
export { ClassicMirrorInstance } from './instance.js';
export { ClassicMirrorState, type ClassicMirrorStats } from './state.js';
export { CLASSIC_MIRROR_CAPABILITIES } from './capabilities.js';
export { classicMirrorOps } from './notifier-ops.js';
export { classicMirrorFault, classicMirrorRetryNeeded, CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS, CLASSIC_MIRROR_RETRY_BACKOFF_NS, type ClassicMirrorFaultPath } from './fault.js';
export { classicMirrorResolve, type ClassicMirrorResolved } from './resolve.js';
export { ClassicMirrorTable } from './mirror-table.js';
export { withMmuLock } from './locked.js';
export { ackingMirror, ACKING_MIRROR_NAME, ACKING_MIRROR_ACK_NS, ACKING_MIRROR_CAPABILITIES } from './acking.js';
