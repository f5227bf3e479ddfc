import type { Scenario, ScenarioStep, WindowElement } from './schema.js';

/**
 * Which callback also hears of an invalidation a scenario names by another: an
 * interval-notifier driver through `interval_invalidate` (for `invalidate_range_start`),
 * a TLB sharing the CPU page table through `arch_invalidate_secondary_tlbs` (for
 * `invalidate_range_start` and the 2008 `invalidate_page`).
 */
const ALSO_HEARD_BY: readonly (readonly [string, string])[] = [
  ['invalidate_range_start', 'interval_invalidate'],
  ['invalidate_range_start', 'arch_invalidate_secondary_tlbs'],
  ['invalidate_page', 'arch_invalidate_secondary_tlbs'],
];

/** `e` naming, wherever it names a callback of {@link ALSO_HEARD_BY}, the callback that also hears of it. */
function widen(e: WindowElement): WindowElement {
  if (e.kind !== 'callback' || e.callback === undefined) return e;
  const names: readonly string[] = Array.isArray(e.callback) ? e.callback : [e.callback];
  const out = [...names];
  for (const [named, also] of ALSO_HEARD_BY) if (names.includes(named) && !out.includes(also)) out.push(also);
  return out.length === names.length ? e : ({ ...e, callback: out } as WindowElement);
}

/**
 * `scenario` with every trace pattern element — its windows' and its steps' `await` —
 * that names `invalidate_range_start` also naming `interval_invalidate` and
 * `arch_invalidate_secondary_tlbs` (and `invalidate_page` the latter): scenarios name
 * the classic callbacks, and an interval-notifier driver (dmirror) hears of the same
 * invalidation through `interval_invalidate`, a driver sharing the CPU page table
 * through the TLB flush, so without this their windows could never be hit nor their
 * awaits satisfied. Other drivers never get the added callbacks, so it changes nothing
 * for them. The one adaptation every runner makes: `runScenario`
 * applies it to what it runs and matches (so `explore` and `checkDriver` see the same
 * window hits); the replay token's fingerprint is the scenario as given. Nothing else
 * changes; the input is not modified, and adapting twice is adapting once.
 * Kernel counterpart: none.
 */
export function adaptWindows(scenario: Scenario): Scenario {
  // A validated scenario is frozen: adapt it once for all the runs of an exploration.
  if (!Object.isFrozen(scenario)) return adapt(scenario);
  let adapted = adaptedOf.get(scenario);
  if (adapted === undefined) {
    adapted = adapt(scenario);
    adaptedOf.set(scenario, adapted);
  }
  return adapted;
}

const adaptedOf = new WeakMap<Scenario, Scenario>();

function adapt(scenario: Scenario): Scenario {
  const awaits = scenario.tasks.some((t) => t.steps.some((st) => st.await !== undefined));
  if (scenario.windows === undefined && !awaits) return scenario;
  const step = (st: ScenarioStep): ScenarioStep => (st.await === undefined ? st : { ...st, await: widen(st.await) });
  return {
    ...scenario,
    ...(scenario.windows === undefined ? {} : { windows: scenario.windows.map((w) => ({ ...w, pattern: w.pattern.map(widen) })) }),
    ...(awaits ? { tasks: scenario.tasks.map((t) => ({ ...t, steps: t.steps.map(step) })) } : {}),
  };
}
