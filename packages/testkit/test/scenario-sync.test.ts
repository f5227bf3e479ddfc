import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import { dmirror } from '../src/dmirror/index.js';
import { explore, replay } from '../src/explore/index.js';
import { lazyMirror } from './support/lazy-mirror.js';
import { TestkitArgumentError } from '../src/arguments.js';
import { CONFORMANCE_ONLY_SCENARIOS, CONFORMANCE_SCENARIOS } from '../src/conformance/index.js';
import { loadScenario, runScenario, SCENARIO_CATALOGUE, ScenarioError } from '../src/scenario/index.js';
import { HMM_ANON_WRITE, SCENARIO_REGISTRY, setup, WRITEBACK_VS_DEVICE_WRITE } from '../src/scenarios/index.js';
import { thrown } from './support/thrown.js';

/** hmm-anon-write as it was: the CPU read the device's writes after a 10 ns sleep. */
const SLEEP_ORDERED_ANON_WRITE = `name: hmm-anon-write
description: the CPU sees the device's writes
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-write, at: "buf[0]", value: 7 }
      - { op: device-write, at: "buf[1]", value: 8 }
  - name: cpu
    process: app
    steps:
      - { op: sleep, ns: 10 }
      - { op: read, at: "buf[0]", expect: 7 }
      - { op: read, at: "buf[1]", expect: 8 }
`;

const BASE = `name: sync
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 1 }] })}
`;

/** The one issue a bad scenario text is refused with. */
function issuesOf(text: string): { path: string; line: number | null; message: string }[] {
  try {
    loadScenario(text, { source: 'sync.yaml' });
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => ({ path: i.path, line: i.line, message: i.message }));
  }
  throw new Error('expected a ScenarioError');
}

describe('step synchronisation: checked at load', () => {
  it('an unknown step in after is refused, naming it and its line', () => {
    const text = `${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", after: ghost }
`;
    const [issue, ...rest] = issuesOf(text);
    expect(rest).toEqual([]);
    expect(issue!.path).toBe('tasks[0].steps[0].after');
    expect(issue!.line).toBe(text.split('\n').findIndex((l) => l.includes('ghost')) + 1);
    expect(issue!.message).toContain('unknown step "ghost"');
    // task.index beyond the task's steps is unknown too.
    expect(issuesOf(text.replace('ghost', 'cpu.7'))[0]!.message).toContain('unknown step "cpu.7"');
  });

  it('a wait cycle is refused: two tasks waiting for each other, or a step waiting for a later one of its own task', () => {
    const cross = `${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: write, label: wrote, at: "buf[0]", value: 5, after: read }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, label: read, at: "buf[0]", after: wrote }
`;
    const [a] = issuesOf(cross);
    expect(a!.message).toMatch(/^wait cycle: (cpu\.0 → engine\.0 → cpu\.0|engine\.0 → cpu\.0 → engine\.0)/);
    expect(a!.line).not.toBeNull();
    const own = `${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", after: cpu.1 }
      - { op: read, at: "buf[1]" }
`;
    expect(issuesOf(own)[0]!.message).toMatch(/^wait cycle: cpu\.0 → cpu\.1 → cpu\.0/);
  });

  it('labels are unique and never read as another step’s task.index; an await names known drivers', () => {
    const dup = `${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: read, label: x, at: "buf[0]" }
      - { op: read, label: x, at: "buf[1]" }
      - { op: read, label: cpu.0, at: "buf[1]" }
`;
    expect(issuesOf(dup).map((i) => i.message)).toEqual(['duplicate step label "x" (also step cpu.0)', 'step label "cpu.0" reads as task.index of task "cpu": pick another label']);
    const awaitGhost = `${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", await: { kind: access, device: npu } }
`;
    expect(issuesOf(awaitGhost)).toEqual([{ path: 'tasks[0].steps[0].await.device', line: awaitGhost.split('\n').findIndex((l) => l.includes('npu')) + 1, message: 'unknown driver "npu"' }]);
  });

  it('a correct scenario with after and await loads', () => {
    const s = loadScenario(`${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: write, label: wrote, at: "buf[0]", value: 5 }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 5, after: [wrote, cpu.0] }
      - { op: device-read, at: "buf[1]", await: { kind: access, device: gpu, at: "buf[0]" } }
`);
    expect(s.tasks[1]!.steps[0]!.after).toEqual(['wrote', 'cpu.0']);
  });
});

describe('step synchronisation: at run time, on the scheduler', () => {
  const ordered = loadScenario(`${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: sleep, ns: 5000 }
      - { op: write, label: wrote, at: "buf[0]", value: 5 }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 5, after: wrote }
`);

  it('a step waits for the step it names, however late that comes (no timer, no sleep)', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await runScenario(ordered, classicMirror, { era: 'v6', seed, strategy: 'random' });
      expect(r.verdict, r.reasons.join('; ')).toBe('pass');
    }
    // Without the wait the device reads the old value: the check above can fail.
    const unordered = { ...ordered, tasks: ordered.tasks.map((t) => ({ ...t, steps: t.steps.map((st) => ({ ...st, after: undefined })) })) };
    const r = await runScenario(unordered, classicMirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.reasons.join()).toContain('read 1 at buf[0], expected 5');
  });

  it('an awaited event that never comes ends in the scheduler’s deadlock, naming the waiting step', async () => {
    const never = loadScenario(`${BASE}tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", await: { kind: callback, driver: gpu, event: unmap } }
`);
    const r = await runScenario(never, classicMirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    const deadlock = r.violations.find((v) => v.kind === 'deadlock');
    expect(deadlock, r.reasons.join('; ')).toBeDefined();
    expect(JSON.stringify(deadlock)).toContain('step engine.0 awaiting a callback event');
  });

  it('waiting for a step whose task stopped on a failure fails the waiting step, not a deadlock', async () => {
    const stopped = loadScenario(`${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", expect: 99 }
      - { op: write, label: wrote, at: "buf[0]", value: 5 }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", after: wrote }
`);
    const r = await runScenario(stopped, classicMirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.violations.map((v) => v.kind)).toEqual([]);
    expect(r.reasons).toEqual(['task "cpu" step 0 (read): read 1 at buf[0], expected 99', 'task "engine" step 0 (device-read): waits for step cpu.1, which will never complete (its task stopped on a failed step)']);
  });

  it('an await naming invalidate_range_start is satisfied by an interval notifier’s interval_invalidate', async () => {
    const s = loadScenario(`${BASE}tasks:
  - name: cpu
    process: app
    steps:
      - { op: munmap, at: "buf[1]", pages: 1, after: engine.0 }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[1]" }
      - { op: device-read, at: "buf[0]", await: { kind: callback, callback: invalidate_range_start, covers: "buf[1]" } }
`);
    const r = await runScenario(s, dmirror, { era: 'v6' });
    expect(r.violations.map((v) => v.kind)).toEqual([]);
    expect(r.verdict, r.reasons.join('; ')).toBe('pass');
  });
});

describe('device latency', () => {
  const reads = loadScenario(`${BASE}tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 1 }
      - { op: device-read, at: "buf[0]", expect: 1 }
`);

  it('is slept on the device task before the driver call: access ns always, fault ns more when the access faults', async () => {
    const none = await runScenario(reads, classicMirror, { era: 'v6' });
    const slow = await runScenario(reads, classicMirror, { era: 'v6', deviceLatency: { fault: 70, access: 30 } });
    const [a0, a1] = none.trace.accesses.map((x) => x.time);
    const [b0, b1] = slow.trace.accesses.map((x) => x.time);
    expect(b0! - a0!).toBe(100); // the first read faults: 70 + 30
    expect(b1! - b0! - (a1! - a0!)).toBe(30); // the second hits the translation: 30
    expect(slow.verdict).toBe('pass');
    // Zero latency adds nothing: the same token as no option at all.
    expect((await runScenario(reads, classicMirror, { era: 'v6', deviceLatency: { fault: 0, access: 0 } })).token).toBe(none.token);
  });

  it('breaks a scenario ordered by a sleep, not one ordered by events (the correct driver is the same)', async () => {
    const sleepy = loadScenario(SLEEP_ORDERED_ANON_WRITE);
    const evented = loadScenario(HMM_ANON_WRITE);
    expect((await runScenario(sleepy, classicMirror, { era: 'v6' })).verdict).toBe('pass');
    const late = await runScenario(sleepy, classicMirror, { era: 'v6', deviceLatency: { fault: 50, access: 50 } });
    expect(late.verdict).toBe('fail');
    expect(late.reasons.join()).toContain('expected 7');
    for (const ns of [0, 50, 1000]) expect((await runScenario(evented, classicMirror, { era: 'v6', deviceLatency: { fault: ns, access: ns } })).verdict).toBe('pass');
  });

  it('a bad latency is a TestkitArgumentError naming it, before anything runs', async () => {
    for (const [latency, path] of [
      [{ fault: -1 }, 'options.deviceLatency.fault'],
      [{ access: 1.5 }, 'options.deviceLatency.access'],
      [{ faults: 5 }, 'options.deviceLatency.faults'],
      [7, 'options.deviceLatency'],
    ] as const) {
      const e = await thrown(() => runScenario(reads, classicMirror, { era: 'v6', deviceLatency: latency as never }));
      expect(e).toBeInstanceOf(TestkitArgumentError);
      expect((e as TestkitArgumentError).problem).toBe('bad-latency');
      expect((e as TestkitArgumentError).path).toBe(path);
    }
  });
});

describe('explore with a device latency', () => {
  it('finds a broken driver, shrinks with the same latency, and the token replays the failure only with it', async () => {
    // The device writes buf[0] after the zap: through the translation the lazy mirror kept.
    const s = loadScenario(CONFORMANCE_ONLY_SCENARIOS['dontneed-vs-device-fault']!);
    const deviceLatency = { fault: 50, access: 50 };
    const r = await explore(s, { driver: lazyMirror, era: 'v6', schedules: 20, deviceLatency, shrinkBudget: 20 });
    expect(r.verdict).toBe('fail');
    const again = await replay(r.scenario, lazyMirror, r.shrunk!.token, { era: 'v6', deviceLatency });
    expect(again.verdict).toBe('fail');
    expect(again.token).toBe(r.shrunk!.token);
    // Without the latency it is another schedule: the recorded choices no longer fit.
    const plain = await replay(r.scenario, lazyMirror, r.shrunk!.token, { era: 'v6' });
    expect(plain.violations.map((v) => v.kind)).toEqual(['divergence']);
    const e = await thrown(() => explore(s, { driver: lazyMirror, era: 'v6', schedules: 1, deviceLatency: { fault: -5 } }));
    expect((e as TestkitArgumentError).path).toBe('options.deviceLatency.fault');
  });
});

describe('explore and checkDriver adapt windows the same way', () => {
  it('an interval driver’s writeback scenario gets window hits under explore', async () => {
    const s = loadScenario(WRITEBACK_VS_DEVICE_WRITE);
    const r = await explore(s, { driver: dmirror, era: 'v6', schedules: 10 });
    expect(r.verdict).toBe('pass');
    expect(r.windowHits['clean-then-device-write']).toBeGreaterThan(0);
  });
});

describe('the scenario registry', () => {
  it('holds every scenario once; the catalogue and the conformance list are its filters, in its order', () => {
    const names = SCENARIO_REGISTRY.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(SCENARIO_CATALOGUE)).toEqual(SCENARIO_REGISTRY.filter((e) => e.kind === 'catalogue').map((e) => e.name));
    expect(CONFORMANCE_SCENARIOS.map((s) => s.name)).toEqual(SCENARIO_REGISTRY.filter((e) => e.conformance).map((e) => e.name));
    expect(SCENARIO_REGISTRY.filter((e) => !e.conformance).map((e) => e.name)).toEqual(['sleeping-invalidate']);
    for (const e of SCENARIO_REGISTRY) expect(loadScenario(e.yaml).eras ?? ['rfc-2008', 'v2.6.27', 'v6']).toEqual(e.eras);
  });

  it('orders steps by events: no registry scenario sleeps', () => {
    for (const e of SCENARIO_REGISTRY) expect(loadScenario(e.yaml).tasks.flatMap((t) => t.steps).filter((st) => st.op === 'sleep'), e.name).toEqual([]);
  });

  it('setup() writes the blocks a scenario would spell out', () => {
    const s = loadScenario(`name: s\n${setup({ processes: ['app', 'other'], mappings: [{ name: 'f', pages: 2, kind: 'file-shared', file: 'data', fill: 3 }, { name: 'o', process: 'other', pages: 1, prot: 'r' }] })}\ntasks:\n  - { name: t, process: app, steps: [] }\n`);
    expect(s.processes).toEqual([{ name: 'app' }, { name: 'other' }]);
    expect(s.mappings).toEqual([
      { name: 'f', process: 'app', pages: 2, prot: 'rw', kind: 'file-shared', file: 'data', fill: 3 },
      { name: 'o', process: 'other', pages: 1, prot: 'r', kind: 'anon-private' },
    ]);
    expect(s.drivers).toEqual([{ name: 'gpu', process: 'app' }]);
  });
});
