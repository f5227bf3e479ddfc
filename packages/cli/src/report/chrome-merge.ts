import type { Era } from '@secondary-mmu/core-mm';
import type { ChromeTrace, ChromeTraceEvent } from '@secondary-mmu/mmu-notifier';

/** One compared run's trace in the Chrome trace-event format, and what it was. Kernel counterpart: none. */
export interface ComparedTrace {
  readonly scenario: string;
  readonly era: Era;
  readonly driver: string;
  readonly token: string | null;
  readonly trace: ChromeTrace;
}

/** `compare --trace-out`'s file: every compared run in one Chrome trace, each run its own processes. Kernel counterpart: none. */
export interface CompareChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly otherData: {
    readonly format: 'secondary-mmu/compare-trace@1';
    /** Per run, the pids its events use (its tasks, then its observations), in the order of `compare --json`'s cells. */
    readonly runs: readonly { readonly scenario: string; readonly era: Era; readonly driver: string; readonly token: string | null; readonly pids: readonly number[] }[];
  };
}

/**
 * Merge the runs' traces into one: run i's pids (`CHROME_TASKS_PID`, `CHROME_OBSERVATION_PID`,
 * 1 and 2) become 2i + 1 and 2i + 2, and each process is named after its run
 * (`scenario · era · driver: …`), so Perfetto shows every run as its own group of
 * tracks, each on its own virtual clock from 0. Kernel counterpart: none.
 */
export function mergeChromeTraces(runs: readonly ComparedTrace[]): CompareChromeTrace {
  const traceEvents: ChromeTraceEvent[] = [];
  const meta: CompareChromeTrace['otherData']['runs'][number][] = [];
  runs.forEach((run, i) => {
    const label = `${run.scenario} · ${run.era} · ${run.driver}`;
    const pids = new Set<number>();
    for (const e of run.trace.traceEvents) {
      const pid = 2 * i + e.pid;
      pids.add(pid);
      const renamed = e.ph === 'M' && e.name === 'process_name' ? { ...e.args, name: `${label}: ${String(e.args.name)}` } : e.args;
      traceEvents.push({ ...e, pid, args: renamed });
    }
    meta.push({ scenario: run.scenario, era: run.era, driver: run.driver, token: run.token, pids: [...pids].sort((a, b) => a - b) });
  });
  return { traceEvents, displayTimeUnit: 'ns', otherData: { format: 'secondary-mmu/compare-trace@1', runs: meta } };
}
