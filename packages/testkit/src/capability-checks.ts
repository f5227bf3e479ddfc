import { andThen, type Machine, type Task } from '@secondary-mmu/core-mm';
import { notifierCore, type NotifierCallback } from '@secondary-mmu/mmu-notifier';
import type { DriverCapabilities } from './capabilities.js';
import type { DriverInstance } from './contract.js';

/** The driver class `sharesCpuPageTable` stands for. */
const SHARED = 'shares-cpu-page-table';

/** The callbacks a `mayBlock` driver may sleep in when the range is blockable. */
const RANGE_CALLBACKS: ReadonlySet<NotifierCallback> = new Set<NotifierCallback>(['invalidate_range_start', 'invalidate_range_end', 'interval_invalidate']);

/**
 * Why `instance`'s device contradicts `capabilities`, or undefined when it agrees:
 * `sharesCpuPageTable` holds exactly when the device's driver class is
 * `'shares-cpu-page-table'`, the class the coherence oracle judges it by. An instance
 * without a device is left to the contract's own checks. Kernel counterpart: none.
 */
export function driverClassMismatch(capabilities: DriverCapabilities, instance: DriverInstance): string | undefined {
  const device = (instance as Partial<DriverInstance> | null)?.device;
  const driverClass = (device as { driverClass?: unknown } | undefined)?.driverClass;
  if (typeof driverClass !== 'string') return undefined;
  if (capabilities.sharesCpuPageTable === (driverClass === SHARED)) return undefined;
  return capabilities.sharesCpuPageTable
    ? `declares sharesCpuPageTable: true, but its device "${device!.name}" has driver class "${driverClass}" (expected "${SHARED}")`
    : `declares sharesCpuPageTable: false, but its device "${device!.name}" has driver class "${SHARED}" (declare sharesCpuPageTable: true)`;
}

/** Marks an instance {@link watchUndeclaredBlocking} already watches (a registry symbol: the same in both entries). */
const WATCHED = Symbol.for('@secondary-mmu/testkit:watched-undeclared-blocking');

/**
 * Report, as an `undeclared-may-block` violation, every blockable range callback
 * (`invalidate_range_start`, `invalidate_range_end`, an interval `invalidate`) of
 * `instance`'s subscriptions that blocked although the driver `name` does not declare
 * `mayBlock`: one during which the virtual clock moved. The clock moves only when no
 * task can run, so the callback's task was blocked then — sleeping for a device, or
 * waiting for someone who was. A block that the clock does not see (a mutex handed over
 * without time passing) is missed, never reported falsely. The subscription is read
 * when the callback runs, so a driver that names it after attach is watched too. Does
 * nothing for a driver that declares `mayBlock`. Kernel counterpart: none — the
 * kernel trusts the driver's design; the conformance suite skips scenarios by it.
 */
export function watchUndeclaredBlocking(machine: Machine, name: string, capabilities: DriverCapabilities, instance: DriverInstance): void {
  if (capabilities.mayBlock) return;
  const device = (instance as Partial<DriverInstance> | null)?.device;
  if (device === undefined || device === null) return;
  // Once per instance: defineDriver's attach and the scenario runner may both ask.
  const marked = instance as unknown as Record<symbol, boolean>;
  if (marked[WATCHED] === true) return;
  marked[WATCHED] = true;
  const reported = new Set<NotifierCallback>();
  notifierCore(machine).listen({
    onReturn(call, _result, _error, time) {
      if (!call.blockable || time === call.time || !RANGE_CALLBACKS.has(call.callback) || !device.subscriptions.includes(call.subscriber as never) || reported.has(call.callback)) return;
      reported.add(call.callback);
      machine.reportViolation(
        call.task,
        'undeclared-may-block',
        `driver "${name}": ${call.callback} of ${call.subscriber.name} blocked for ${time - call.time} ns in a blockable range, but the driver does not declare mayBlock`,
      );
    },
  });
}

/** @internal `attach`'s result, checked: a class mismatch detaches the instance and throws `mismatch(reason)`. */
export function checkedInstance(task: Task, machine: Machine, name: string, capabilities: DriverCapabilities, instance: DriverInstance, mismatch: (reason: string) => Error): DriverInstance | Promise<DriverInstance> {
  const reason = driverClassMismatch(capabilities, instance);
  if (reason === undefined) {
    watchUndeclaredBlocking(machine, name, capabilities, instance);
    return instance;
  }
  const error = mismatch(reason);
  const fail = (): never => {
    throw error;
  };
  // Nothing stays attached: the instance is detached before the error (whatever detach says).
  let detached: void | Promise<void>;
  try {
    detached = instance.detach(task);
  } catch {
    return fail();
  }
  return detached instanceof Promise ? detached.then(fail, fail) : andThen(detached, fail);
}
