import type { Colors } from '../output/io.js';
import { formatTable } from '../output/table.js';
import type { CompareCell } from './cell.js';
import type { SemanticsRow } from './semantics.js';
import { commandName } from '../output/command-name.js';

/** Short names of the callbacks, for the table's `callbacks` column. */
const SHORT: Readonly<Record<string, string>> = {
  invalidate_range_start: 'start',
  invalidate_range_end: 'end',
  invalidate_page: 'page',
  clear_flush_young: 'cfy',
  clear_young: 'cy',
  test_young: 'ty',
  arch_invalidate_secondary_tlbs: 'tlbs',
  interval_invalidate: 'interval',
  rmap_invalidate_page: 'rmap',
  release: 'release',
};

const num = (n: number | null): string => (n === null ? '-' : String(n));

/** The semantics table's columns. Kernel counterpart: none. */
export const SEMANTICS_HEADER: readonly string[] = ['driver', 'era', 'holds page refs', 'implements aging', 'invalidate sleeps', 'correct', 'runs'];

/** One semantics row's cells (coloured by `c`). Kernel counterpart: none. */
export function semanticsCells(r: SemanticsRow, c: Colors): string[] {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  return [c.bold(r.driver), r.era, yes(r.holdsPageRefs), yes(r.implementsAging), r.invalidateSleeps ? c.yellow('yes') : 'no', r.correct ? c.green('yes') : c.red('NO'), String(r.runs)];
}

/** The semantics table as text. Kernel counterpart: none. */
export function renderSemantics(rows: readonly SemanticsRow[], c: Colors): string {
  return formatTable(SEMANTICS_HEADER, rows.map((r) => semanticsCells(r, c)));
}

/** The columns of a scenario's table of runs. Kernel counterpart: none. */
export const CELL_HEADER: readonly string[] = ['driver', 'era', 'callbacks', 'inval', 'blocked ns', 'tlb flush', 'faults', 'retries', 'hot evict', 'refs/pins', 'violations'];

/** The scenarios of `cells`, in order of first appearance. Kernel counterpart: none. */
export function scenariosOf(cells: readonly CompareCell[]): string[] {
  return [...new Set(cells.map((x) => x.scenario))];
}

/** One table per scenario: a row per driver and era with its measured figures. Kernel counterpart: none. */
export function renderCells(cells: readonly CompareCell[], c: Colors): string {
  return scenariosOf(cells)
    .map((s) => `${c.bold(c.cyan(s))}\n${formatTable(CELL_HEADER, cells.filter((x) => x.scenario === s).map((x) => cellCells(x, c)))}`)
    .join('\n');
}

/** One run's cells (coloured by `c`). Kernel counterpart: none. */
export function cellCells(x: CompareCell, c: Colors): string[] {
  return [
    c.bold(x.driver),
    x.era,
    Object.entries(x.callbacks)
      .map(([k, n]) => `${SHORT[k] ?? k} ${n}`)
      .join(', ') || '-',
    String(x.invalidations),
    String(x.blockedNs),
    num(x.counters.tlbFlushes),
    num(x.counters.deviceFaults),
    num(x.counters.retries),
    String(x.deviceHotEvictions),
    `${x.peakExtraRefs}/${x.peakPinsHeld}`,
    x.threw !== null ? c.red(`driver threw: ${x.threw}`) : x.violations.length === 0 ? (x.refused !== null ? c.yellow(`refused ${x.refused.split(':')[0]!}`) : x.correct ? c.green('none') : c.red('step failed')) : c.red(x.violations.map((v) => `${v.kind}×${v.count}`).join(', ')),
  ];
}

/** The first violation of each failing cell with its site and token. Kernel counterpart: none. */
export function renderViolations(cells: readonly CompareCell[], c: Colors): string {
  const lines: string[] = [];
  for (const x of cells) {
    for (const v of x.violations) {
      lines.push(`${c.red(v.kind)} ×${v.count} — ${x.driver}, ${x.scenario}, ${x.era}: ${v.task} at ${v.site}${v.heldLocks.length > 0 ? ` holding ${v.heldLocks.join(', ')}` : ''}`);
      lines.push(`  ${commandName()} replay ${v.token}`);
    }
  }
  return lines.length === 0 ? '' : `${c.bold('Violations')} (first of each kind, with the run to replay)\n${lines.join('\n')}\n`;
}
