import type { ChromeTrace, NotifierTrace } from '@secondary-mmu/mmu-notifier';
import type { ComparedTrace } from '../report/chrome-merge.js';
import { timelineOf, type RunTimeline } from '../report/timeline.js';
import { measureCell, type CompareCell } from './cell.js';
import { planComparison, type PlannedCell } from './plan.js';
import { semanticsProbe } from './probe.js';
import { semanticsTable, type SemanticsRow } from './semantics.js';

/** Which drivers, scenarios and eras to compare. Kernel counterpart: none. */
export interface ComparisonSpec {
  /** Eras, or `all` (default all). */
  readonly era?: readonly string[];
  /** Built-in names or module paths (default: every built-in). */
  readonly driver?: readonly string[];
  /** Named scenarios or files (default `DEFAULT_COMPARE_SCENARIOS`). */
  readonly scenario?: readonly string[];
  readonly cwd?: string;
}

/** What `compare --json` prints. Kernel counterpart: none. */
export interface CompareJson {
  readonly format: 'secondary-mmu/compare@1';
  readonly cells: readonly CompareCell[];
  /** The semantics probe's run per driver and era (see `SEMANTICS_PROBE_YAML`). */
  readonly probes: readonly CompareCell[];
  readonly semantics: readonly SemanticsRow[];
}

/**
 * Run every cell of the comparison, ticking `onCell` after each; `timelines`, when given,
 * receives each scenario run's callbacks, and `traces` its whole trace in the Chrome
 * trace-event format. Kernel counterpart: none.
 */
export async function runComparison(options: ComparisonSpec, onCell: (done: number, total: number) => void = () => {}, timelines?: RunTimeline[], traces?: ComparedTrace[]): Promise<CompareJson> {
  const plan = await planComparison(options);
  const pairs = new Map<string, PlannedCell>();
  for (const p of plan) pairs.set(`${p.target.factory.name}\u0000${p.era}`, p);
  const total = plan.length + pairs.size;
  const cells: CompareCell[] = [];
  const probes: CompareCell[] = [];
  for (const p of plan) {
    const name = p.target.scenario.scenario.name;
    let chrome: ChromeTrace | null = null;
    const keep =
      timelines === undefined && traces === undefined
        ? undefined
        : (trace: NotifierTrace) => {
            timelines?.push(timelineOf(name, p.era, p.target.factory.name, trace));
            if (traces !== undefined) chrome = trace.toChromeTrace();
          };
    const cell = await measureCell(p.target, p.era, p.requiresUndeclared, keep);
    cells.push(cell);
    if (traces !== undefined && chrome !== null) traces.push({ scenario: name, era: p.era, driver: cell.driver, token: cell.token, trace: chrome });
    onCell(cells.length, total);
  }
  for (const p of pairs.values()) {
    probes.push(await measureCell({ ...p.target, scenario: semanticsProbe() }, p.era, []));
    onCell(cells.length + probes.length, total);
  }
  return { format: 'secondary-mmu/compare@1', cells, probes, semantics: semanticsTable(probes, cells) };
}

