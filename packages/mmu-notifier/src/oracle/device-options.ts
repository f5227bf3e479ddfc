import { SmmuError } from '@secondary-mmu/core-mm';
import type { MmuIntervalNotifier } from '../interval-subscription.js';
import type { MmuNotifier } from '../subscription.js';
import { DRIVER_CLASSES, isDriverClass, type DriverClass } from './driver-class.js';

/** A subscription a {@link DeviceMmu} answers for: a classic or an interval notifier. Kernel counterpart: `struct mmu_notifier` / `struct mmu_interval_notifier`. */
export type DeviceSubscription = MmuNotifier | MmuIntervalNotifier;

/** How to make a {@link DeviceMmu}. Kernel counterpart: none. */
export interface DeviceMmuOptions {
  /** The device's name in violations and traces (non-empty). */
  readonly name: string;
  /** What its translations keep of a page, which decides the rules it is held to. */
  readonly driverClass: DriverClass;
  /**
   * The subscription whose callbacks this device's driver answers with — the rules
   * by class and the aging and leak rules judge the device against that
   * subscription's callbacks. May be given later with {@link DeviceMmu.answerFor}.
   */
  readonly subscription?: DeviceSubscription | null;
}

/** @internal EINVAL unless `options` names a device (non-empty name, known driver class, a subscription or none). */
export function checkOptions(options: DeviceMmuOptions): void {
  if (options === null || typeof options !== 'object') throw new SmmuError('EINVAL', `DeviceMmu: options must be an object, got ${String(options)}`);
  const { name, driverClass } = options;
  if (typeof name !== 'string' || name === '') throw new SmmuError('EINVAL', `DeviceMmu: name ${JSON.stringify(name)} must be a non-empty string`);
  if (!isDriverClass(driverClass)) throw new SmmuError('EINVAL', `DeviceMmu ${name}: driver class "${String(driverClass)}" is not one of ${DRIVER_CLASSES.join(', ')}`);
  checkSubscription(name, options.subscription ?? null);
}

/** @internal EINVAL unless `sub` is null or has what a subscription has (a name and an ops table). */
export function checkSubscription(name: string, sub: DeviceSubscription | null): void {
  if (sub === null) return;
  if (typeof sub !== 'object' || typeof (sub as { name?: unknown }).name !== 'string' || typeof (sub as { ops?: unknown }).ops !== 'object') {
    const what = typeof sub === 'object' ? Object.prototype.toString.call(sub) : String(sub);
    throw new SmmuError('EINVAL', `DeviceMmu ${name}: subscription ${what} is not an MmuNotifier or MmuIntervalNotifier`);
  }
}
