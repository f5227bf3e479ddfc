import type { NotifierCallback } from '../events.js';
import type { CallbackRecord, DeviceAccessRecord } from './records.js';

/**
 * Which callbacks to select; every field given must match (unset fields match all).
 * Times are virtual ns, the window inclusive: a callback matches when its
 * `[time, returnTime]` overlaps `[from, to]` (a callback still running extends to
 * the end of time).
 *
 * Kernel counterpart: an ftrace event filter (`events/<system>/<event>/filter`);
 * difference: applied to what was recorded, not while recording.
 */
export interface CallbackQuery {
  /** The driver (subscriber name). */
  readonly driver?: string;
  /** One callback name or any of several. */
  readonly callback?: NotifierCallback | readonly NotifierCallback[];
  /** The mm, by id or as the object (null: callbacks about no mm). */
  readonly mm?: number | { readonly id: number } | null;
  /** The calling task's name. */
  readonly task?: string;
  readonly from?: number;
  readonly to?: number;
  /**
   * Addresses `[start, end)` the callback's range must overlap. `release` covers the
   * whole address space and always overlaps; the page-keyed rmap hook has no address
   * and never does (select it by `pfn`).
   */
  readonly overlaps?: { readonly start: number; readonly end: number };
  /** The page of the rfc-2008 external-rmap hook. */
  readonly pfn?: number;
}

/** Which device accesses to select; every field given must match. The window `[from, to]` is inclusive, in virtual ns. Kernel counterpart: none (see {@link DeviceAccessRecord}). */
export interface DeviceAccessQuery {
  readonly device?: string;
  readonly pfn?: number;
  readonly generation?: number;
  readonly from?: number;
  readonly to?: number;
}

/** True when the callback `record` matches `query` (what `NotifierTrace.findCallbacks` filters with). */
export function matchCallback(record: CallbackRecord, query: CallbackQuery): boolean {
  const { driver, callback, mm, task, from, to, overlaps, pfn } = query;
  if (driver !== undefined && record.driver !== driver) return false;
  if (callback !== undefined && (typeof callback === 'string' ? record.callback !== callback : !callback.includes(record.callback))) return false;
  if (mm !== undefined && record.mm !== (mm === null ? null : typeof mm === 'number' ? mm : mm.id)) return false;
  if (task !== undefined && record.task !== task) return false;
  if (from !== undefined && record.returnTime !== null && record.returnTime < from) return false;
  if (to !== undefined && record.time > to) return false;
  if (pfn !== undefined && record.pfn !== pfn) return false;
  if (overlaps !== undefined && record.callback !== 'release') {
    if (record.start < 0 || record.start >= overlaps.end || overlaps.start >= record.end) return false;
  }
  return true;
}

/** True when the device access `record` matches `query` (what `NotifierTrace.findAccesses` filters with). */
export function matchDeviceAccess(record: DeviceAccessRecord, query: DeviceAccessQuery): boolean {
  const { device, pfn, generation, from, to } = query;
  if (device !== undefined && record.device !== device) return false;
  if (pfn !== undefined && record.pfn !== pfn) return false;
  if (generation !== undefined && record.generation !== generation) return false;
  if (from !== undefined && record.time < from) return false;
  if (to !== undefined && record.time > to) return false;
  return true;
}
