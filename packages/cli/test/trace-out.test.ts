import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompareChromeTrace, CompareJson } from '../src/index.js';
import { cli } from './support/cli.js';

describe('compare --trace-out', () => {
  it("writes every compared run's trace in one Chrome trace, each run its own named processes, every callback there", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'smmu-trace-')), 'compare.json');
    const r = await cli('compare', '--driver', 'kvm-spte', '--driver', 'xpmem', '--scenario', 'fault-vs-munmap', '--scenario', 'sleeping-invalidate', '--era', 'v6', '--trace-out', file, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/trace: .*compare\.json \(4 runs; open it in https:\/\/ui\.perfetto\.dev\)/);
    const json = JSON.parse(r.stdout) as CompareJson;
    const trace = JSON.parse(readFileSync(file, 'utf8')) as CompareChromeTrace;
    expect(trace.otherData.runs.map((x) => [x.scenario, x.driver, x.token])).toEqual(json.cells.map((c) => [c.scenario, c.driver, c.token]));
    const pids = trace.otherData.runs.flatMap((x) => x.pids);
    expect(new Set(pids).size).toBe(pids.length); // no two runs share a process
    trace.otherData.runs.forEach((run, i) => {
      const events = trace.traceEvents.filter((e) => run.pids.includes(e.pid));
      const callbacks = events.filter((e) => e.cat === 'mmu_notifier').length;
      expect(callbacks).toBe(Object.values(json.cells[i]!.callbacks).reduce((a, b) => a + b, 0));
      const names = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => String(e.args.name));
      expect(names.every((n) => n.startsWith(`${run.scenario} · v6 · ${run.driver}: `))).toBe(true);
    });
    // xpmem's recall sleeps: its invalidations have a duration in the trace; kvm-spte's none.
    const durations = (driver: string): number[] => trace.traceEvents.filter((e) => e.cat === 'mmu_notifier' && e.args.driver !== null && String(e.args.driver).startsWith(driver) && e.ph === 'X').map((e) => e.dur ?? 0);
    expect(Math.max(...durations('xpmem'))).toBeGreaterThan(0);
    expect(Math.max(...durations('kvm-spte'))).toBe(0);
  });
});
