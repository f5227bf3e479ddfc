import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { renderCells, renderSemantics, renderViolations } from '../compare/render.js';
import { runComparison, type ComparisonSpec } from '../compare/run-comparison.js';
import type { Io } from '../output/io.js';
import type { RunTimeline } from '../report/timeline.js';
import { writeCompareReport } from '../report/write.js';
import { mergeChromeTraces, type ComparedTrace } from '../report/chrome-merge.js';
import { BUILTIN_DRIVERS } from '../drivers/registry.js';
import { startProgress } from '../output/progress.js';
import { commandName } from '../output/command-name.js';

/** Options of `compare`. Kernel counterpart: none. */
export interface CompareOptions extends ComparisonSpec {
  readonly json?: boolean;
  /** Write `compare.md` and a self-contained `compare.html` (SVG timelines) into this folder. */
  readonly report?: string;
  /** Write every compared run's trace, merged, in the Chrome trace-event format here (Perfetto). */
  readonly traceOut?: string;
}

/**
 * `secondary-mmu compare`: drivers × scenarios × eras, every figure measured from a run
 * with its token, then the semantics table answered from those runs. Exit 1 when a run
 * recorded a violation, unless its driver is a historical built-in shown for that finding
 * (`DriverEntry.historical`). Kernel counterpart: none.
 */
export async function compareCommand(options: CompareOptions, io: Io): Promise<ExitCode> {
  let progress: ReturnType<typeof startProgress> | null = null;
  const timelines: RunTimeline[] = [];
  const traces: ComparedTrace[] = [];
  const result = await runComparison(
    options,
    (done, total) => {
      progress ??= startProgress(io, total, 'compare', options.json === true);
      progress.tick(`${done}/${total}`);
    },
    options.report === undefined ? undefined : timelines,
    options.traceOut === undefined ? undefined : traces,
  );
  (progress as ReturnType<typeof startProgress> | null)?.stop();
  if (options.report !== undefined) {
    const written = writeCompareReport(path.resolve(options.cwd ?? process.cwd(), options.report), result, timelines, commandLine(options));
    io.err(`report: ${written.markdown}, ${written.html}\n`);
  }
  if (options.traceOut !== undefined) {
    const file = path.resolve(options.cwd ?? process.cwd(), options.traceOut);
    writeFileSync(file, `${JSON.stringify(mergeChromeTraces(traces))}\n`);
    io.err(`trace: ${file} (${traces.length} runs; open it in https://ui.perfetto.dev)\n`);
  }
  // A historical driver's violations are the finding it is there to show.
  const historical = new Map(BUILTIN_DRIVERS.filter((d) => d.historical !== undefined).map((d) => [d.name, d.historical!]));
  const code = [...result.cells, ...result.probes].some((c) => (c.violations.length > 0 && !historical.has(c.driver)) || c.threw !== null) ? EXIT.violations : EXIT.ok;
  if (options.json === true) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  }
  const c = io.color;
  io.out(`${c.bold('Semantics')}, answered from the runs below (not from what each driver declares)\n${renderSemantics(result.semantics, c)}\n`);
  io.out(`${c.bold('Runs')}: one per driver × scenario × era (seed 1); callbacks by kind, virtual time, driver counters (- where a driver does not count)\n\n${renderCells(result.cells, c)}\n`);
  const violations = renderViolations(result.cells, c);
  if (violations !== '') io.out(`${violations}\n`);
  const shown = [...historical].filter(([name]) => result.cells.some((x) => x.driver === name));
  if (shown.length > 0) io.out(`${c.bold('Historical')} (their violations are the finding, not a failure of this comparison):\n${shown.map(([name, why]) => `  ${name}: ${why}\n`).join('')}\n`);
  io.out(`${c.bold('Next')}:\n`);
  const cmd = commandName();
  const next: [string, string][] = [
    [`${cmd} compare --json`, 'every cell with its replay token'],
    [`${cmd} explore fault-vs-munmap --driver kvm-spte --variant no-retry-check`, 'a race found, shrunk, replayable'],
    [`${cmd} experiment aging-rounds`, "the seed's | versus || claim"],
    [`${cmd} compare --driver ./my-driver.js`, 'your own driver (docs/cli.md)'],
  ];
  const width = Math.max(...next.map(([command]) => command.length));
  for (const [command, what] of next) io.out(`  ${command.padEnd(width)}  ${what}\n`);
  return code;
}

/** The command line that makes this comparison, for the report's header. */
function commandLine(o: CompareOptions): string {
  const many = (flag: string, values: readonly string[] | undefined): string[] => (values ?? []).map((v) => `${flag} ${v}`);
  return ['secondary-mmu compare', ...many('--era', o.era), ...many('--driver', o.driver), ...many('--scenario', o.scenario)].join(' ');
}
