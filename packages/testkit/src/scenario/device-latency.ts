import { failFor } from '../arguments.js';
import { show } from '../show.js';

/**
 * Virtual time a scenario's device steps take before the driver is called: `access`
 * ns for every device access (`device-read`, `device-write`, `device-prefetch`), and
 * `fault` ns more when the access will fault (the device holds no translation of the
 * page, or a read-only one for a write; a prefetch always counts as a fault). Slept on
 * the device task through the scheduler, so other tasks run meanwhile, as they would
 * while a real device waits for a completion or a fabric round trip (mlx5, XPMEM). A
 * correct scenario orders its steps by events (`after`, `await`), so its verdict must
 * not depend on these. Kernel counterpart: none (the device's own latency).
 */
export interface DeviceLatency {
  /** Extra ns of a device access that faults (default 0). */
  readonly fault?: number;
  /** Ns of every device access (default 0). */
  readonly access?: number;
}

/** No latency: the runner's default, which adds no scheduling point. Kernel counterpart: none. */
export const NO_DEVICE_LATENCY: Required<DeviceLatency> = Object.freeze({ fault: 0, access: 0 });

/** `latency` checked (each field a non-negative safe integer, no other field) and completed; a `TestkitArgumentError` naming `path` otherwise. */
export function checkDeviceLatency(fn: string, latency: unknown, path: string): Required<DeviceLatency> {
  if (latency === undefined) return NO_DEVICE_LATENCY;
  const fail = failFor(fn);
  if (latency === null || typeof latency !== 'object' || Array.isArray(latency)) fail('bad-latency', path, `must be { fault?, access? } in virtual ns, got ${show(latency)}`);
  const o = latency as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== 'fault' && key !== 'access') fail('bad-latency', `${path}.${key}`, `unknown field (expected fault, access)`);
  const ns = (key: 'fault' | 'access'): number => {
    const v = o[key];
    if (v === undefined) return 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail('bad-latency', `${path}.${key}`, `must be a non-negative integer of virtual ns, got ${show(v)}`);
    return v as number;
  };
  return Object.freeze({ fault: ns('fault'), access: ns('access') });
}

/** A latency as text for case names and reports: `0 ns`, `50 ns`, or `fault 50 ns, access 10 ns`. Kernel counterpart: none. */
export function formatDeviceLatency(latency: DeviceLatency): string {
  const fault = latency.fault ?? 0;
  const access = latency.access ?? 0;
  return fault === access ? `${fault} ns` : `fault ${fault} ns, access ${access} ns`;
}
