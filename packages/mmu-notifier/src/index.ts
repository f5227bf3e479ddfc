/**
 * `@secondary-mmu/mmu-notifier`: the Linux MMU-notifier interface over the core-mm
 * model (mm/mmu_notifier.c, include/linux/mmu_notifier.h) — registration with SRCU
 * lifetime, the page, young and range callbacks placed per kernel era, `blockable` and
 * `-EAGAIN` with paired ends, interval notifiers with their sequence protocol, rfc-2008's
 * external-rmap hook, the coherence oracle for device accesses and the event trace.
 *
 * @packageDocumentation
 */
export { MmuNotifier, type MmuNotifierOps } from './subscription.js';
export { MmuIntervalNotifier, type MmuIntervalNotifierOps, type IntervalState } from './interval-subscription.js';
export { NotifierCore, notifierCore, configureNotifiers, type NotifierOptions, type ReleaseOrder } from './core.js';
export type { CallbackCall, DeviceAccess, LifecycleStep, NotifierCallback, NotifierListener, Subscriber } from './events.js';
export { MmuNotifierSubscriptions, subscriptionsOf } from './subscriptions.js';
export {
  mmuNotifierRegister,
  mmuNotifierRegisterLocked,
  mmuNotifierUnregister,
  mmuNotifierGet,
  mmuNotifierGetLocked,
  mmuNotifierPut,
  mmuNotifierSynchronize,
} from './register.js';
export {
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierInsertLocked,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalCheckRetry,
  mmuIntervalSetSeq,
  mmuIntervalNotifier,
} from './interval.js';
export { mmuNotifierClearYoung, mmuNotifierTestYoung } from './young.js';
export { MmuRmapNotifier, mmuRmapNotifierRegister, mmuRmapNotifierUnregister, mmuRmapExportPage, type MmuRmapNotifierOps } from './external-rmap.js';
export * from './trace/index.js';
export * from './oracle/index.js';
