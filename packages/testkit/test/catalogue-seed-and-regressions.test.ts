// The seed thread's cases and the historical kernel bugs in the scenario catalogue:
// the steps and knobs they need (age, oom-kill, per-era expectations, the release-order
// knob, blockable/failed window filters), each shown to fire and to stay quiet.
import { ERAS } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { ackingMirror, classicMirror } from '../src/classic-mirror/index.js';
import { checkDriver, formatConformanceReport } from '../src/conformance/index.js';
import { dmirror } from '../src/dmirror/index.js';
import { explore, replay } from '../src/explore/index.js';
import { loadScenario, runScenario, SCENARIO_CATALOGUE, ScenarioError, type Scenario } from '../src/scenario/index.js';

const load = (name: string): Scenario => loadScenario(SCENARIO_CATALOGUE[name]!, { source: name });
const kinds = (vs: readonly { kind: string }[]): string[] => [...new Set(vs.map((x) => x.kind))];
/** A factory allowed in every era: the seed's question is asked of eras the driver does not declare. */
const inEveryEra = { ...ackingMirror, eras: ERAS };

describe('sleeping-invalidate: the seed question, answered per era', () => {
  const scenario = load('sleeping-invalidate');
  it.each(ERAS)('ackingMirror in %s: might-sleep exactly where the era forbids sleeping', async (era) => {
    const r = await runScenario(scenario, inEveryEra, { era, seed: 3 });
    expect(r.reasons).toEqual([]);
    expect(kinds(r.violations)).toEqual(era === 'v6' ? [] : ['might-sleep']);
    // rfc-2008 sleeps legally in munmap's range (mmap_sem) and illegally in reclaim's invalidate_page.
    if (era === 'rfc-2008') for (const v of r.violations) expect(v.heldLocks.join(), v.message).toMatch(/spin/);
  });

  it('a driver that never sleeps misses the expected violation in the 2008 eras: the per-era expectation is checked', async () => {
    const r = await runScenario(scenario, classicMirror, { era: 'v2.6.27', seed: 3 });
    expect(r.verdict).toBe('fail');
    expect(r.reasons).toEqual(['expected violation might-sleep did not occur']);
    expect((await runScenario(scenario, classicMirror, { era: 'v6', seed: 3 })).verdict).toBe('pass');
  });

  it('ackingMirror (v6) passes the whole conformance suite', async () => {
    const report = await checkDriver(ackingMirror, { seeds: [1, 2, 3] });
    expect(report.ok, formatConformanceReport(report)).toBe(true);
  });
});

describe('release-vs-unregister: the release race (2.6.27 until 2012, and 3.9)', () => {
  const scenario = load('release-vs-unregister');
  it('v6 (release while listed): PCT finds nothing, and hits the unlisted-then-freed window', async () => {
    const r = await explore(scenario, { driver: classicMirror, era: 'v6', schedules: 300, seed: 1 });
    expect(r.failing).toBeNull();
    expect(r.verdict).toBe('pass');
    expect(r.windowHits['unlisted-then-freed']).toBeGreaterThan(0);
    expect(r.windowHits['detached-then-freed']).toBeGreaterThan(0);
  });

  it('the window needs the race: without the reclaim task it is never hit', async () => {
    const calm: Scenario = { ...scenario, tasks: scenario.tasks.filter((t) => t.name !== 'kswapd') };
    const r = await explore(calm, { driver: classicMirror, era: 'v6', schedules: 100, seed: 1 });
    expect(r.windowHits).toEqual({ 'unlisted-then-freed': 0, 'detached-then-freed': 0 });
    expect(r.verdict).toBe('inconclusive');
  });

  it('kernel.releaseOrder unlist-first reproduces the use-after-free; the shrunk token replays to it', async () => {
    const buggy: Scenario = { ...scenario, kernel: { releaseOrder: 'unlist-first' } };
    const r = await explore(buggy, { driver: classicMirror, era: 'v6', schedules: 1000, seed: 4, shrinkBudget: 40 });
    expect(r.verdict).toBe('fail');
    expect(kinds(r.failing!.violations)).toContain('use-after-free');
    const again = await replay(r.scenario, classicMirror, r.shrunk!.token, { era: 'v6' });
    expect(kinds(again.violations)).toContain('use-after-free');
  });

  it('the race needs preemption: fifo never reaches it with the buggy order', async () => {
    const fifo: Scenario = { ...scenario, kernel: { releaseOrder: 'unlist-first' }, schedule: { ...scenario.schedule, strategy: 'fifo' } };
    for (const seed of [1, 2, 3, 4]) {
      const r = await runScenario(fifo, classicMirror, { era: 'v6', seed });
      expect(kinds(r.violations)).not.toContain('use-after-free');
    }
  });

  it('v2.6.27 as merged (unlist first) has the same bug', async () => {
    const r = await explore({ ...scenario, eras: ['v2.6.27'] }, { driver: classicMirror, era: 'v2.6.27', schedules: 1000, seed: 1 });
    expect(kinds(r.failing?.violations ?? [])).toContain('use-after-free');
  });
});

describe('oom-kill-vs-device-access: the OOM reaper', () => {
  const scenario = load('oom-kill-vs-device-access');
  it('v6: the reaper reaches the driver with non-blockable unmap ranges; 2008 eras have no reaper', async () => {
    const v6 = await explore(scenario, { driver: classicMirror, era: 'v6', schedules: 40, seed: 1 });
    expect(v6.verdict).toBe('pass');
    expect(v6.windowHits['access-then-reap']).toBeGreaterThan(0);
    const old = await explore(scenario, { driver: classicMirror, era: 'v2.6.27', schedules: 40, seed: 1 });
    expect(old.verdict).toBe('pass');
    expect(old.windowHits['access-then-reap']).toBe(0);
    expect(old.windowHits['access-then-kill']).toBeGreaterThan(0);
  });

  it('the windows need the kill: the driver’s own detach (which calls release) does not hit them', async () => {
    // Without the OOM task, and without the engine's wait for its kill.
    const calm: Scenario = { ...scenario, tasks: scenario.tasks.filter((t) => t.name !== 'oom').map((t) => ({ ...t, steps: t.steps.map((st) => ({ ...st, after: undefined })) })) };
    const r = await explore(calm, { driver: classicMirror, era: 'v6', schedules: 40, seed: 1 });
    expect(r.windowHits).toEqual({ 'access-then-reap': 0, 'access-then-kill': 0 });
  });

  it('dmirror: a device access holding dmirror->mutex makes the reaper’s trylock fail; the reaper retries and nothing breaks', async () => {
    const contended: Scenario = {
      ...scenario,
      windows: [{ name: 'reap-refused', pattern: [{ kind: 'callback', callback: 'interval_invalidate', blockable: false, failed: true }] }],
    };
    const r = await explore(contended, { driver: dmirror, era: 'v6', schedules: 200, seed: 1 });
    expect(r.failing).toBeNull();
    expect(r.windowHits['reap-refused']).toBeGreaterThan(0);
  });

  it('oom-kill with nobody to kill is ENOMEM; naming a victim it did not pick is a step failure', async () => {
    const lonely: Scenario = { ...scenario, mappings: [], drivers: [], tasks: [{ name: 'oom', process: 'allocator', steps: [{ op: 'oom-kill' }] }], windows: [] };
    const a = await runScenario(lonely, classicMirror, { era: 'v6' });
    expect(a.reasons.join()).toMatch(/ENOMEM: oom-kill: no process to kill/);
    const wrong: Scenario = {
      ...scenario,
      processes: [...scenario.processes, { name: 'bystander' }],
      tasks: [{ name: 'oom', process: 'allocator', steps: [{ op: 'oom-kill', victim: 'bystander' }] }],
      windows: [],
    };
    const b = await runScenario(wrong, classicMirror, { era: 'v6' });
    expect(b.reasons.join()).toMatch(/killed "app", expected "bystander"/);
  });

  it('an unknown victim is rejected at load, naming the field and the value', () => {
    const text = SCENARIO_CATALOGUE['oom-kill-vs-device-access']!.replace('victim: app', 'victim: ghost');
    let error: unknown;
    try {
      loadScenario(text, { source: 'oom.yaml' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).issues[0]).toEqual(expect.objectContaining({ path: 'tasks[0].steps[0].victim', message: 'unknown process "ghost"' }));
  });
});

describe('access-vs-aging: device accesses between aging passes', () => {
  it('every era: the mirror answers young for its accesses, the aging rule stays quiet', async () => {
    for (const era of ERAS) {
      const r = await explore(load('access-vs-aging'), { driver: classicMirror, era, schedules: 30, seed: 1 });
      expect(r.verdict, era).toBe('pass');
    }
  });

  it('age names a page in another process: kswapd ages anyone’s memory', async () => {
    const s = load('access-vs-aging');
    const other: Scenario = {
      ...s,
      processes: [...s.processes, { name: 'kswapd' }],
      tasks: s.tasks.map((t) => (t.name === 'aging' ? { ...t, process: 'kswapd' } : t)),
    };
    const r = await runScenario(other, classicMirror, { era: 'v6', seed: 2 });
    expect(r.reasons.filter((x) => !x.startsWith('no window'))).toEqual([]);
    expect(r.trace.callbacks.some((c) => c.callback === 'clear_flush_young' && c.task === 'aging')).toBe(true);
  });
});

describe('checks a schema cannot make', () => {
  const issues = (text: string): { path: string; message: string }[] => {
    try {
      loadScenario(text, { source: 'x.yaml' });
    } catch (e) {
      return (e as ScenarioError).issues.map((i) => ({ path: i.path, message: i.message }));
    }
    return [];
  };

  it('an oom-kill naming its own process, and per-era expectations for an era the scenario is not for, are rejected', () => {
    const own = SCENARIO_CATALOGUE['oom-kill-vs-device-access']!.replace('victim: app', 'victim: allocator');
    expect(issues(own)).toEqual([{ path: 'tasks[0].steps[0].victim', message: `"allocator" is the task's own process, which the OOM killer never picks here` }]);
    const wrongEra = SCENARIO_CATALOGUE['release-vs-unregister']!.replace('windows:\n', 'expect:\n  eras:\n    rfc-2008:\n      violations: [use-after-free]\nwindows:\n');
    expect(issues(wrongEra)).toEqual([{ path: 'expect.eras.rfc-2008', message: 'era "rfc-2008" is not one of the scenario\'s (v6)' }]);
  });
});
