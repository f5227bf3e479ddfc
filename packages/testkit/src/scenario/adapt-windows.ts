import type { Scenario, ScenarioStep, WindowElement } from './schema.js';

/** `e` naming `interval_invalidate` too wherever it names `invalidate_range_start`. */
function widen(e: WindowElement): WindowElement {
  if (e.kind !== 'callback' || e.callback === undefined) return e;
  const names = Array.isArray(e.callback) ? e.callback : [e.callback];
  if (!names.includes('invalidate_range_start') || names.includes('interval_invalidate')) return e;
  return { ...e, callback: [...names, 'interval_invalidate'] };
}

/**
 * `scenario` with every trace pattern element — its windows' and its steps' `await` —
 * that names `invalidate_range_start` also naming `interval_invalidate`: scenarios name
 * the classic callbacks, and an interval-notifier driver (dmirror) hears of the same
 * invalidation through `interval_invalidate`, so without this its windows could never
 * be hit nor its awaits satisfied. The one adaptation every runner makes: `runScenario`
 * applies it to what it runs and matches (so `explore` and `checkDriver` see the same
 * window hits); the replay token's fingerprint is the scenario as given. Nothing else
 * changes; the input is not modified, and adapting twice is adapting once.
 * Kernel counterpart: none.
 */
export function adaptWindows(scenario: Scenario): Scenario {
  const awaits = scenario.tasks.some((t) => t.steps.some((st) => st.await !== undefined));
  if (scenario.windows === undefined && !awaits) return scenario;
  const step = (st: ScenarioStep): ScenarioStep => (st.await === undefined ? st : { ...st, await: widen(st.await) });
  return {
    ...scenario,
    ...(scenario.windows === undefined ? {} : { windows: scenario.windows.map((w) => ({ ...w, pattern: w.pattern.map(widen) })) }),
    ...(awaits ? { tasks: scenario.tasks.map((t) => ({ ...t, steps: t.steps.map(step) })) } : {}),
  };
}
