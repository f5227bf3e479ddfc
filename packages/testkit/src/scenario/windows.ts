import { PAGE_SIZE } from '@secondary-mmu/core-mm';
import type { CallbackRecord, DeviceAccessRecord, LifecycleRecord, ScanRecord } from '@secondary-mmu/mmu-notifier';
import type { ScenarioWindow, WindowElement } from './schema.js';
import { resolveAddress, type ScenarioWorld } from './world.js';

/** One trace event as windows see it. */
type TraceEvent =
  | { readonly kind: 'callback'; readonly r: CallbackRecord }
  | { readonly kind: 'access'; readonly r: DeviceAccessRecord }
  | { readonly kind: 'lifecycle'; readonly r: LifecycleRecord }
  | { readonly kind: 'scan'; readonly r: ScanRecord };

const list = <T>(x: T | readonly T[] | undefined): readonly T[] | undefined => (x === undefined ? undefined : Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/** The call threw, answered a nonzero code, or (an interval callback) answered false: the invalidation must retry or skip. */
const failed = (r: CallbackRecord): boolean => r.error !== null || (typeof r.result === 'number' && r.result !== 0) || (r.callback === 'interval_invalidate' && r.result === false);

/** A predicate over trace events for one pattern element, its names resolved in `world`. */
function matcher(world: ScenarioWorld, e: WindowElement): (ev: TraceEvent) => boolean {
  const addr = (text: string | undefined): { mm: number; address: number } | undefined => {
    if (text === undefined) return undefined;
    const { address, mapping } = resolveAddress(world, text);
    return { mm: mapping.mmId, address };
  };
  switch (e.kind) {
    case 'access': {
      const d = e.device === undefined ? undefined : world.drivers.get(e.device)!.instance;
      const at = addr(e.at);
      return (ev) => {
        if (ev.kind !== 'access') return false;
        const r = ev.r;
        if (d !== undefined && (r.device !== d.device.name || r.mm !== d.mm.id)) return false;
        if (e.task !== undefined && r.task !== e.task) return false;
        if (at !== undefined && (r.mm !== at.mm || r.address - (r.address % PAGE_SIZE) !== at.address)) return false;
        return e.write === undefined || r.write === e.write;
      };
    }
    case 'callback': {
      const callbacks = list(e.callback);
      const events = list(e.event);
      const d = e.driver === undefined ? undefined : world.drivers.get(e.driver)!;
      const at = addr(e.covers);
      return (ev) => {
        if (ev.kind !== 'callback') return false;
        const r = ev.r;
        if (callbacks !== undefined && !callbacks.includes(r.callback)) return false;
        if (d !== undefined && (!d.subscribers.includes(r.driver) || (r.mm !== null && r.mm !== d.instance.mm.id))) return false;
        if (e.task !== undefined && r.task !== e.task) return false;
        if (events !== undefined && (r.event === null || !events.includes(r.event))) return false;
        if (e.blockable !== undefined && r.blockable !== e.blockable) return false;
        if (e.failed !== undefined && failed(r) !== e.failed) return false;
        return at === undefined || (r.mm === at.mm && r.start <= at.address && at.address < r.end);
      };
    }
    case 'lifecycle': {
      const steps = list(e.step);
      const d = e.driver === undefined ? undefined : world.drivers.get(e.driver)!;
      return (ev) => {
        if (ev.kind !== 'lifecycle') return false;
        const r = ev.r;
        if (steps !== undefined && !steps.includes(r.step)) return false;
        if (d !== undefined && (!d.subscribers.includes(r.driver) || (r.mm !== null && r.mm !== d.instance.mm.id))) return false;
        return e.task === undefined || r.task === e.task;
      };
    }
    case 'scan': {
      const at = addr(e.at);
      return (ev) => {
        if (ev.kind !== 'scan') return false;
        if (e.verdict !== undefined && ev.r.verdict !== e.verdict) return false;
        return at === undefined || world.reclaimed.some((t) => t.pfn === ev.r.pfn && t.mm === at.mm && t.address === at.address);
      };
    }
  }
}

/** The trace's callbacks, accesses, lifecycle steps and scans in their one order (`seq`). */
function events(world: ScenarioWorld): TraceEvent[] {
  const t = world.trace;
  const all: TraceEvent[] = [
    ...t.callbacks.map((r) => ({ kind: 'callback' as const, r })),
    ...t.accesses.map((r) => ({ kind: 'access' as const, r })),
    ...t.lifecycle.map((r) => ({ kind: 'lifecycle' as const, r })),
    ...t.scans.map((r) => ({ kind: 'scan' as const, r })),
  ];
  return all.sort((a, b) => a.r.seq - b.r.seq);
}

/**
 * A test of whether the run's trace so far holds an event matching `element` (a step's
 * `await`), asked again at every event of the run: it looks at each record once (the
 * trace only grows, so once true it stays true). Scan records are looked at again each
 * time: whether one matches depends on the reclaim targets the run has named so far.
 */
export function traceWatch(world: ScenarioWorld, element: WindowElement): () => boolean {
  const match = matcher(world, element);
  const t = world.trace;
  let held = false;
  let callbacks = 0;
  let accesses = 0;
  let lifecycle = 0;
  return () => {
    if (held) return true;
    if (element.kind === 'callback') for (; !held && callbacks < t.callbacks.length; callbacks++) held = match({ kind: 'callback', r: t.callbacks[callbacks]! });
    else if (element.kind === 'access') for (; !held && accesses < t.accesses.length; accesses++) held = match({ kind: 'access', r: t.accesses[accesses]! });
    else if (element.kind === 'lifecycle') for (; !held && lifecycle < t.lifecycle.length; lifecycle++) held = match({ kind: 'lifecycle', r: t.lifecycle[lifecycle]! });
    else held = t.scans.some((r) => match({ kind: 'scan', r }));
    return held;
  };
}

/**
 * How many times each window's pattern occurs in the run's trace: matched greedily as
 * a subsequence (each element at the earliest event after the previous element's),
 * occurrences not overlapping. A window is a fact about the trace, never a flag a
 * driver sets.
 */
export function matchWindows(world: ScenarioWorld, windows: readonly ScenarioWindow[]): Record<string, number> {
  const evs = events(world);
  const hits: Record<string, number> = {};
  for (const w of windows) {
    const preds = w.pattern.map((e) => matcher(world, e));
    let count = 0;
    let k = 0;
    for (const ev of evs) {
      if (preds[k]!(ev) && ++k === preds.length) {
        count++;
        k = 0;
      }
    }
    hits[w.name] = count;
  }
  return hits;
}
