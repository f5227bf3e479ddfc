import type { DriverInstance } from '@secondary-mmu/testkit';
import type { CountersReader, DeviceCounters } from './types.js';

/** A counter object's numeric field, or undefined. */
function field(stats: unknown, key: string): number | undefined {
  const v = (stats as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** `instance.stats`, the place every built-in driver keeps its counters. */
function statsOf(instance: DriverInstance): unknown {
  return (instance as { stats?: unknown }).stats;
}

/**
 * A reader of `instance.stats` naming which of its fields is each counter (a sum when
 * several fields make one counter). Kernel counterpart: none.
 */
export function statsCounters(fields: { readonly [K in keyof DeviceCounters]?: readonly string[] }): CountersReader {
  return (instance) => {
    const stats = statsOf(instance);
    if (stats === undefined || stats === null) return undefined;
    const sum = (keys: readonly string[] | undefined): number | null => {
      if (keys === undefined) return null;
      let total = 0;
      for (const k of keys) {
        const v = field(stats, k);
        if (v === undefined) return null;
        total += v;
      }
      return total;
    };
    return { tlbFlushes: sum(fields.tlbFlushes), deviceFaults: sum(fields.deviceFaults), retries: sum(fields.retries) };
  };
}

/** Add `b` into `a`, a null (not counted) staying null unless the other counted. Kernel counterpart: none. */
export function addCounters(a: DeviceCounters, b: Partial<DeviceCounters> | undefined): DeviceCounters {
  const plus = (x: number | null, y: number | null | undefined): number | null => (y === undefined || y === null ? x : (x ?? 0) + y);
  return { tlbFlushes: plus(a.tlbFlushes, b?.tlbFlushes), deviceFaults: plus(a.deviceFaults, b?.deviceFaults), retries: plus(a.retries, b?.retries) };
}

/** No counter counted. Kernel counterpart: none. */
export const NO_COUNTERS: DeviceCounters = Object.freeze({ tlbFlushes: null, deviceFaults: null, retries: null });

/**
 * A reader of the counters an instance's driver keeps for every instance of it on the
 * machine (`instance.driver.stats`: xpmem-messaging's owners and importers share one),
 * naming the fields as {@link statsCounters} does. Kernel counterpart: none.
 */
export function driverStatsCounters(fields: { readonly [K in keyof DeviceCounters]?: readonly string[] }): CountersReader {
  const read = statsCounters(fields);
  return (instance) => {
    const driver = (instance as { driver?: { stats?: unknown } }).driver;
    return driver === undefined ? undefined : read({ stats: driver.stats } as unknown as DriverInstance);
  };
}
