import { decodeReplayToken, encodeReplayToken, isSmmuError, ReplayTokenError, verify } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { TestkitArgumentError, type ArgumentProblem } from '../src/arguments.js';
import { classicMirror } from '../src/classic-mirror/index.js';
import { checkDriver, planConformance } from '../src/conformance/index.js';
import type { DriverFactory } from '../src/contract.js';
import { classicVariant } from '../src/kill-matrix/index.js';
import { loadScenario, MAX_SCENARIO_ALIASES, runScenario, SCENARIO_CATALOGUE, ScenarioError, type Scenario } from '../src/scenario/index.js';
import { explore } from '../src/explore/index.js';
import { describeDriverConformance } from '../src/vitest/index.js';
import { BASE } from './support/base-scenario.js';
import { thrown } from './support/thrown.js';

/** `f` fails with a `TestkitArgumentError` (EINVAL) for `problem` at `path`; its message. */
async function refused(f: () => unknown, problem: ArgumentProblem, path: string): Promise<string> {
  const e = await thrown(f);
  expect(isSmmuError(e, 'EINVAL'), String(e)).toBe(true);
  expect(e).toBeInstanceOf(TestkitArgumentError);
  expect({ problem: (e as TestkitArgumentError).problem, path: (e as TestkitArgumentError).path }).toEqual({ problem, path });
  return (e as Error).message;
}

/** `f` fails with a `ScenarioError` (EINVAL); its issues. */
async function invalid(f: () => unknown): Promise<ScenarioError['issues']> {
  const e = await thrown(f);
  expect(isSmmuError(e, 'EINVAL'), String(e)).toBe(true);
  expect(e).toBeInstanceOf(ScenarioError);
  return (e as ScenarioError).issues;
}

/** A driver whose every attach never settles (it awaits a Promise nobody settles). */
const neverAttaches: DriverFactory = { ...classicMirror, name: 'never-attaches', attach: () => new Promise<never>(() => {}) };

describe('checkDriver and planConformance refuse bad drivers and options instead of skipping everything', () => {
  it('an unknown era is refused, naming it; never a report of skips', async () => {
    const message = await refused(() => checkDriver(classicMirror, { eras: ['v7' as 'v6'] }), 'unknown-era', 'options.eras[0]');
    expect(message).toContain('checkDriver');
    expect(message).toContain('"v7"');
    await refused(() => planConformance(classicMirror, { eras: ['v6', 'v2.6.28' as 'v6'] }), 'unknown-era', 'options.eras[1]');
  });

  it('duplicate eras, an empty list, a list that is not one', async () => {
    expect(await refused(() => checkDriver(classicMirror, { eras: ['v6', 'rfc-2008', 'v6'] }), 'duplicate-era', 'options.eras[2]')).toContain('"v6" is listed twice');
    await refused(() => checkDriver(classicMirror, { eras: [] }), 'no-eras', 'options.eras');
    await refused(() => checkDriver(classicMirror, { eras: 'v6' as unknown as ['v6'] }), 'bad-eras', 'options.eras');
  });

  it('a driver that is not a DriverFactory: null, a bad field, an unknown era', async () => {
    expect(await refused(() => checkDriver(null as unknown as DriverFactory), 'not-a-driver', 'driver')).toContain('got null');
    await refused(() => checkDriver(undefined as unknown as DriverFactory), 'not-a-driver', 'driver');
    await refused(() => checkDriver({ ...classicMirror, attach: undefined } as unknown as DriverFactory), 'not-a-driver', 'driver.attach');
    await refused(() => checkDriver({ ...classicMirror, eras: ['v9'] } as unknown as DriverFactory), 'not-a-driver', 'driver.eras[0]');
    await refused(() => planConformance({ ...classicMirror, name: '' }), 'not-a-driver', 'driver.name');
  });

  it('other options: not an object, seeds, strategy, scenarios', async () => {
    await refused(() => checkDriver(classicMirror, null as unknown as object), 'not-an-object', 'options');
    await refused(() => checkDriver(classicMirror, { seeds: [] }), 'no-seeds', 'options.seeds');
    await refused(() => checkDriver(classicMirror, { seeds: [1, 2.5] }), 'bad-seed', 'options.seeds[1]');
    await refused(() => checkDriver(classicMirror, { strategy: 'dfs' as 'pct' }), 'unknown-strategy', 'options.strategy');
    expect(await refused(() => checkDriver(classicMirror, { scenarios: ['no-such-scenario'] }), 'unknown-scenario', 'options.scenarios[0]')).toContain('"no-such-scenario"');
    await refused(() => checkDriver(classicMirror, { scenarios: [null as unknown as string] }), 'bad-scenarios', 'options.scenarios[0]');
  });

  it('describeDriverConformance: options and create are checked before any suite is registered', async () => {
    await refused(() => describeDriverConformance(null as unknown as Parameters<typeof describeDriverConformance>[0]), 'not-an-object', 'options');
    await refused(() => describeDriverConformance({ name: 'x', create: classicMirror as unknown as () => DriverFactory }), 'not-a-driver', 'options.create');
  });
});

describe('runScenario refuses bad arguments with typed errors', () => {
  const good = loadScenario(BASE);

  it('null, or anything but a scenario, is a ScenarioError', async () => {
    expect((await invalid(() => runScenario(null as unknown as Scenario, classicMirror, { era: 'v6' })))[0]!.message).toContain('null');
    await invalid(() => runScenario('name: x' as unknown as Scenario, classicMirror, { era: 'v6' }));
  });

  it('a driver, an era, options that are not ones', async () => {
    await refused(() => runScenario(good, null as unknown as DriverFactory, { era: 'v6' }), 'not-a-driver', 'driver');
    expect(await refused(() => runScenario(good, classicMirror, { era: 'v7' as 'v6' }), 'unknown-era', 'options.era')).toContain('"v7"');
    await refused(() => runScenario(good, classicMirror, undefined as unknown as { era: 'v6' }), 'not-an-object', 'options');
    await refused(() => runScenario(good, classicMirror, { era: 'v6', seed: Number.NaN }), 'bad-seed', 'options.seed');
    await refused(() => runScenario(good, classicMirror, { era: 'v6', replay: 42 as unknown as string }), 'bad-replay', 'options.replay');
    await refused(() => runScenario(good, classicMirror, { era: 'v6', verify: 'yes' as unknown as boolean }), 'not-a-boolean', 'options.verify');
  });
});

describe('loadScenario: input that is not a scenario text', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');

  it(`a YAML alias bomb is refused (at most ${MAX_SCENARIO_ALIASES} expansions), naming the first alias's line; a few aliases are fine`, async () => {
    const issues = await invalid(() => loadScenario(bomb, { source: 'bomb.yaml' }));
    expect(issues).toEqual([expect.objectContaining({ path: '', line: 2 })]);
    expect(issues[0]!.message).toContain('billion laughs');
    const withAlias = BASE.replace('  - name: app\n', '  - name: &app app\n').replaceAll('    process: app\n', '    process: *app\n');
    expect(loadScenario(withAlias)).toEqual(loadScenario(BASE));
    const reused = `${BASE}      - &step\n        op: yield\n      - *step\n      - *step\n`;
    expect(loadScenario(reused).tasks[0]!.steps.map((s) => s.op)).toEqual(['write', 'yield', 'yield', 'yield']);
  });

  it('a Buffer (or any Uint8Array) is read as UTF-8 text, with or without a byte-order mark', () => {
    const text = SCENARIO_CATALOGUE['fault-vs-munmap']!;
    expect(loadScenario(Buffer.from(text))).toEqual(loadScenario(text));
    expect(loadScenario(new TextEncoder().encode(`\uFEFF${text}`))).toEqual(loadScenario(text));
  });

  it('bytes that are not UTF-8 are refused, naming the line', async () => {
    const bytes = Buffer.concat([Buffer.from('name: x\nprocesses:\n  - name: '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const issues = await invalid(() => loadScenario(bytes, { source: 'latin.yaml' }));
    expect(issues).toEqual([expect.objectContaining({ line: 3 })]);
    expect(issues[0]!.message).toContain('not UTF-8');
  });

  it('null, a number, an object: a ScenarioError naming the value', async () => {
    expect((await invalid(() => loadScenario(null as unknown as string)))[0]!.message).toContain('got null');
    expect((await invalid(() => loadScenario(42 as unknown as string)))[0]!.message).toContain('got 42');
    expect((await invalid(() => loadScenario({ name: 'x' } as unknown as string)))[0]!.message).toContain('parseScenario');
  });
});

describe('content words are unsigned 32-bit, checked at load with the line', () => {
  it('value, expect and fill outside 0..2^32-1, or not integers', async () => {
    const text = BASE.replace('        value: 1\n', '        value: -1\n      - op: write\n        at: buf[1]\n        value: 4294967296\n      - op: read\n        at: buf[1]\n        expect: 1.5\n').replace(
      '    kind: anon-private\n',
      '    kind: anon-private\n    fill: -7\n',
    );
    const issues = await invalid(() => loadScenario(text, { source: 'w.yaml' }));
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['mappings[0].fill', 10],
      ['tasks[0].steps[0].value', 20],
      ['tasks[0].steps[1].value', 23],
      ['tasks[0].steps[2].expect', 26],
    ]);
    for (const i of issues) expect(i.message).toContain('unsigned 32-bit word');
    expect(issues[0]!.message).toContain('-7');
    expect(issues[2]!.message).toContain('4294967296');
  });

  it("a fill whose last page's word overflows", async () => {
    const issues = await invalid(() => loadScenario(BASE.replace('    kind: anon-private\n', '    kind: anon-private\n    fill: 4294967295\n')));
    expect(issues).toEqual([expect.objectContaining({ path: 'mappings[0].fill', line: 10 })]);
    expect(issues[0]!.message).toContain('4294967296');
    expect(loadScenario(BASE.replace('    kind: anon-private\n', '    kind: anon-private\n    fill: 4294967294\n')).mappings[0]!.fill).toBe(4294967294);
  });
});

describe('the format version', () => {
  it('version 1 and no version are the same format', () => {
    const versioned = loadScenario(`version: 1\n${BASE}`);
    expect(versioned.version).toBe(1);
    expect({ ...versioned, version: undefined }).toEqual({ ...loadScenario(BASE), version: undefined });
  });

  it('a newer version is reported alone, with its line; a version that is not one is a schema error', async () => {
    const newer = await invalid(() => loadScenario(`${BASE}version: 2\nnew-field: true\n`, { source: 'v2.yaml' }));
    expect(newer).toEqual([expect.objectContaining({ path: 'version', line: 20 })]);
    expect(newer[0]!.message).toContain('format version 2 is newer than this testkit reads (1)');
    for (const bad of ['0', '"1"', '1.5']) expect(await invalid(() => loadScenario(`version: ${bad}\n${BASE}`))).toEqual([expect.objectContaining({ path: 'version', line: 1 })]);
  });
});

describe('a driver whose attach or detach never settles: a violation, not a hang', () => {
  it('attach: an uncontrolled-await violation and a failed result whose token replays it', async () => {
    const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);
    const r = await runScenario(scenario, neverAttaches, { era: 'v6', seed: 3 });
    expect(r.verdict).toBe('fail');
    expect(r.violations.map((v) => [v.kind, v.task])).toEqual([['uncontrolled-await', 'app:setup']]);
    expect(r.violations[0]!.message).toContain('attach of driver "never-attaches"');
    expect(r.windowHits).toEqual({ 'mirrored-when-unmapped': 0 });
    expect(decodeReplayToken(r.token)).toEqual(expect.objectContaining({ seed: 3, context: 'v6', choices: [] }));
    const again = await runScenario(scenario, neverAttaches, { era: 'v6', replay: r.token });
    expect(again.violations.map((v) => v.kind)).toEqual(['uncontrolled-await']);
    expect(again.token).toBe(r.token);
  });

  it('attach: checkDriver reports the case failed', async () => {
    const report = await checkDriver(neverAttaches, { eras: ['v6'], seeds: [1], scenarios: ['fault-vs-munmap'], latencies: [{}] });
    expect(report.ok).toBe(false);
    expect(report.cases.map((c) => c.status)).toEqual(['fail']);
    expect(report.cases[0]!.violations.map((v) => v.kind)).toEqual(['uncontrolled-await']);
  });

  it('detach (inside the run): the scheduler catches it', async () => {
    const hangsInDetach: DriverFactory = {
      ...classicMirror,
      name: 'hangs-in-detach',
      async attach(task, machine, mm) {
        const instance = await classicMirror.attach(task, machine, mm);
        return Object.assign(Object.create(instance) as typeof instance, { detach: () => new Promise<never>(() => {}) });
      },
    };
    const text = `${BASE}  - name: engine\n    driver: gpu\n    steps:\n      - op: detach\n`;
    const r = await runScenario(loadScenario(text), hangsInDetach, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.violations.map((v) => v.kind)).toEqual(['uncontrolled-await']);
  });
});

describe('verify runs only after a run that ended', () => {
  const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);

  it('not after an uncontrolled await inside munmap', async () => {
    const hangsInUnmap = classicVariant('hangs-in-unmap', {
      ops(ops) {
        const start = ops.invalidateRangeStart!;
        ops.invalidateRangeStart = (task, sub, range) => (range.event === 'unmap' ? new Promise<never>(() => {}) : start(task, sub, range));
      },
    });
    const r = await runScenario(scenario, hangsInUnmap, { era: 'v6', seed: 1 });
    expect(r.violations.map((v) => v.kind)).toEqual(['uncontrolled-await']);
    // verify would call the half-done munmap corruption.
    expect(verify(r.machine, { record: false }).length).toBeGreaterThan(0);
  });

  it('not after a replay that diverged inside munmap', async () => {
    const full = await runScenario(scenario, classicMirror, { era: 'v6', seed: 1 });
    const record = decodeReplayToken(full.token);
    // Cut the recorded choices (pairs: task, runnable count) until a replay stops in the middle of munmap.
    let stopped: Awaited<ReturnType<typeof runScenario>> | undefined;
    for (let n = 2; n < record.choices.length && stopped === undefined; n += 2) {
      const r = await runScenario(scenario, classicMirror, { era: 'v6', replay: encodeReplayToken({ ...record, choices: record.choices.slice(0, n) }) });
      if (verify(r.machine, { record: false }).length > 0) stopped = r;
    }
    expect(stopped, 'some cut stops the replay inside munmap').toBeDefined();
    expect(stopped!.verdict).toBe('fail');
    expect(stopped!.violations.map((v) => v.kind)).toEqual(['divergence']);
  });
});

describe('replay tokens in the runner: another era, corrupted, an old format', () => {
  const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);

  it('are refused with a ReplayTokenError before anything is built', async () => {
    let attached = 0;
    const spy: DriverFactory = { ...classicMirror, attach: (t, m, mm) => (attached++, classicMirror.attach(t, m, mm)) };
    const old = await runScenario(scenario, classicMirror, { era: 'rfc-2008', seed: 2 });
    attached = 0;
    const problem = async (replay: string, era: 'v6' | 'rfc-2008' = 'v6'): Promise<string> => {
      const e = await thrown(() => runScenario(scenario, spy, { era, replay }));
      expect(isSmmuError(e, 'EINVAL')).toBe(true);
      expect(e).toBeInstanceOf(ReplayTokenError);
      return (e as ReplayTokenError).problem;
    };
    expect(await problem(old.token)).toBe('other-context');
    const at = old.token.indexOf('.') + 3;
    expect(await problem(old.token.slice(0, at) + (old.token[at] === 'x' ? 'y' : 'x') + old.token.slice(at + 1), 'rfc-2008')).toBe('corrupted');
    expect(await problem('smmu1.eyJzIjoyLCJzdCI6InJhbmRvbSIsInAiOnt9LCJwYyI6W10sImMiOiIiLCJmIjoiIn0', 'rfc-2008')).toBe('old-version');
    expect(attached).toBe(0);
    // In its own era the token replays the same run.
    expect((await runScenario(scenario, classicMirror, { era: 'rfc-2008', replay: old.token })).token).toBe(old.token);
  });
});

describe('explore refuses bad arguments before anything runs', () => {
  const s = loadScenario(BASE);
  const ok = { driver: classicMirror, era: 'v6' as const, schedules: 1 };

  it('a scenario that is not one is a ScenarioError naming the value', async () => {
    const e = await thrown(() => explore(null as unknown as Scenario, ok));
    expect(e).toBeInstanceOf(ScenarioError);
    expect(String(e)).toContain('null');
  });

  it('missing options, a bad driver or era', async () => {
    await refused(() => explore(s, undefined as unknown as typeof ok), 'not-an-object', 'options');
    await refused(() => explore(s, { ...ok, driver: null as unknown as DriverFactory }), 'not-a-driver', 'options.driver');
    await refused(() => explore(s, { ...ok, era: 'v7' as 'v6' }), 'unknown-era', 'options.era');
  });

  it('counts that are not whole numbers in range: schedules, depth, shrinkBudget', async () => {
    expect(await refused(() => explore(s, { ...ok, schedules: 0 }), 'bad-count', 'options.schedules')).toContain('got 0');
    await refused(() => explore(s, { ...ok, schedules: 2.5 }), 'bad-count', 'options.schedules');
    await refused(() => explore(s, { ...ok, schedules: '10' as unknown as number }), 'bad-count', 'options.schedules');
    await refused(() => explore(s, { ...ok, depth: 0 }), 'bad-count', 'options.depth');
    await refused(() => explore(s, { ...ok, shrinkBudget: -1 }), 'bad-count', 'options.shrinkBudget');
    expect((await explore(s, { ...ok, shrinkBudget: 0 })).schedules).toBe(1);
  });
});
