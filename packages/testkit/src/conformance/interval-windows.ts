import type { Scenario, WindowElement } from '../scenario/schema.js';

/**
 * `scenario` with every window element that names `invalidate_range_start` also
 * naming `interval_invalidate`: the catalogue names the classic callbacks, and an
 * interval-notifier driver (dmirror) hears of the same invalidation through
 * `interval_invalidate`, so without this its windows could never be hit. Nothing else
 * changes; the input is not modified.
 */
export function withIntervalCallbacks(scenario: Scenario): Scenario {
  if (scenario.windows === undefined) return scenario;
  const widen = (e: WindowElement): WindowElement => {
    if (e.kind !== 'callback' || e.callback === undefined) return e;
    const names = Array.isArray(e.callback) ? e.callback : [e.callback];
    if (!names.includes('invalidate_range_start') || names.includes('interval_invalidate')) return e;
    return { ...e, callback: [...names, 'interval_invalidate'] };
  };
  return { ...scenario, windows: scenario.windows.map((w) => ({ ...w, pattern: w.pattern.map(widen) })) };
}
