import { ERAS, isSmmuError } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { ackingMirror, classicMirror } from '../src/classic-mirror/index.js';
import type { DriverFactory } from '../src/contract.js';
import { loadScenario, runScenario, SCENARIO_CATALOGUE, ScenarioError } from '../src/scenario/index.js';
import { BASE } from './support/base-scenario.js';
import { lazyMirror } from './support/lazy-mirror.js';
import { thrown } from './support/thrown.js';

describe('loadScenario: errors name the field, the line and the value', () => {
  it('a schema error: bad enum value, unknown op, unknown field', async () => {
    const text = BASE.replace('prot: rw', 'prot: rx').replace('        value: 1\n', '        value: 1\n        bogus: 2\n      - op: reed\n');
    const e = await thrown(() => loadScenario(text, { source: 'bad.yaml' }));
    expect(isSmmuError(e, 'EINVAL')).toBe(true);
    expect(e).toBeInstanceOf(ScenarioError);
    const issues = (e as ScenarioError).issues;
    expect(issues).toContainEqual(expect.objectContaining({ path: 'mappings[0].prot', line: 8 }));
    expect(issues.find((i) => i.path === 'mappings[0].prot')!.message).toContain('"rx"');
    expect(issues).toContainEqual(expect.objectContaining({ path: 'tasks[0].steps[0]', line: 20, message: 'unknown field "bogus"' }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'tasks[0].steps[1].op', line: 21 }));
    expect((e as Error).message).toContain('bad.yaml:8: mappings[0].prot');
  });

  it('a missing field points at its parent', async () => {
    const e = (await thrown(() => loadScenario(BASE.replace('    pages: 2\n', ''), { source: 's.yaml' }))) as ScenarioError;
    expect(e.issues).toEqual([expect.objectContaining({ path: 'mappings[0].pages', line: 5 })]);
    expect(e.issues[0]!.message).toContain('missing');
  });

  it('cross-references: unknown mapping, page out of range, wrong task kind, unknown driver', async () => {
    const text = BASE.replace('at: buf[0]', 'at: bf[0]').replace(
      '        value: 1\n',
      '        value: 1\n      - op: read\n        at: buf[2]\n      - op: device-read\n        at: buf[0]\n  - name: dev\n    driver: npu\n    steps: []\n',
    );
    const e = (await thrown(() => loadScenario(text, { source: 's.yaml' }))) as ScenarioError;
    expect(e.issues.map((i) => [i.path, i.line])).toEqual([
      ['tasks[0].steps[0].at', 18],
      ['tasks[0].steps[1].at', 21],
      ['tasks[0].steps[2].op', 22],
      ['tasks[1].driver', 25],
    ]);
    expect(e.issues[0]!.message).toContain('"bf"');
    expect(e.issues[1]!.message).toContain('buf[2]');
    expect(e.issues[3]!.message).toContain('"npu"');
  });

  it('YAML syntax errors and JSON: lines too', async () => {
    const e = (await thrown(() => loadScenario('name: x\nprocesses: [\n', { source: 'y.yaml' }))) as ScenarioError;
    expect(e.issues[0]!.line).not.toBeNull();
    const json = JSON.stringify(loadScenario(BASE), null, 2).replace('"rw"', '"rwx"');
    const j = (await thrown(() => loadScenario(json, { format: 'json', source: 'j.json' }))) as ScenarioError;
    expect(j.issues).toEqual([expect.objectContaining({ path: 'mappings[0].prot', line: json.split('\n').findIndex((l) => l.includes('"rwx"')) + 1 })]);
    expect(await thrown(() => loadScenario('{"name": "x",}', { format: 'json' }))).toBeInstanceOf(ScenarioError);
  });

  it('a valid scenario loads typed, YAML and JSON alike', () => {
    const s = loadScenario(BASE);
    expect(s.mappings[0]!.kind).toBe('anon-private');
    expect(loadScenario(JSON.stringify(s), { format: 'json' })).toEqual(s);
  });
});

describe('runScenario: a bad value leaves nothing half-built', () => {
  it('a bad scenario object or era is EINVAL before any attach', async () => {
    let attached = 0;
    const spy: DriverFactory = { ...classicMirror, eras: ['v6'], attach: (t, m, mm) => (attached++, classicMirror.attach(t, m, mm)) };
    const good = loadScenario(BASE);
    const bad = { ...good, mappings: [{ ...good.mappings[0]!, pages: -1 }] };
    const e1 = (await thrown(() => runScenario(bad, spy, { era: 'v6' }))) as ScenarioError;
    expect(isSmmuError(e1, 'EINVAL')).toBe(true);
    expect(e1.issues[0]).toEqual(expect.objectContaining({ path: 'mappings[0].pages', line: null }));
    expect(e1.message).toContain('-1');
    const e2 = await thrown(() => runScenario(good, spy, { era: 'rfc-2008' }));
    expect(isSmmuError(e2, 'EINVAL')).toBe(true);
    const e3 = await thrown(() => runScenario({ ...good, eras: ['v2.6.27'] }, spy, { era: 'v6' }));
    expect(isSmmuError(e3, 'EINVAL')).toBe(true);
    expect(attached).toBe(0);
    expect((await runScenario(good, spy, { era: 'v6' })).verdict).toBe('pass');
    expect(attached).toBe(1);
  });
});

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe.each(Object.entries(SCENARIO_CATALOGUE))('catalogue: %s', (name, text) => {
  const scenario = loadScenario(text, { source: name });
  // sleeping-invalidate needs a driver that sleeps: the acking mirror, asked in every era.
  const driver: DriverFactory = name === 'sleeping-invalidate' ? { ...ackingMirror, eras: ERAS } : classicMirror;
  it.each(scenario.eras ?? ERAS)(`passes with ${driver.name} in %s on every seed and hits its window on some`, async (era) => {
    let hit = 0;
    for (const seed of SEEDS) {
      const r = await runScenario(scenario, driver, { era, seed });
      // Exactly the expected violations (none, but for sleeping-invalidate's 2008 eras): an unexpected or missing one is a reason.
      expect(r.verdict === 'pass' || r.verdict === 'inconclusive', r.reasons.join('; ')).toBe(true);
      expect(r.reasons.filter((x) => !x.startsWith('no window'))).toEqual([]);
      if (r.verdict === 'pass') hit++;
    }
    expect(hit).toBeGreaterThan(0);
  });

  it('is deterministic: same seed, same result and trace; the token replays it', async () => {
    const a = await runScenario(scenario, classicMirror, { era: 'v6', seed: 5 });
    const b = await runScenario(scenario, classicMirror, { era: 'v6', seed: 5 });
    expect(b.token).toBe(a.token);
    expect(b.windowHits).toEqual(a.windowHits);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
    const c = await runScenario(scenario, classicMirror, { era: 'v6', replay: a.token });
    expect(JSON.stringify(c.trace)).toBe(JSON.stringify(a.trace));
    expect(c.machine.report.warnings).toEqual([]);
  });
});

describe('verdicts', () => {
  it('a window that can never match is inconclusive', async () => {
    const text = `${BASE}windows:
  - name: never
    pattern:
      - kind: scan
        verdict: freed
`;
    const r = await runScenario(loadScenario(text), classicMirror, { era: 'v6' });
    expect(r.verdict).toBe('inconclusive');
    expect(r.windowHits).toEqual({ never: 0 });
  });

  it('an unexpected step error, a wrong value, or a missing expected violation fails', async () => {
    const wrong = BASE.replace('        value: 1\n', '        value: 1\n      - op: read\n        at: buf[0]\n        expect: 2\n');
    const r1 = await runScenario(loadScenario(wrong), classicMirror, { era: 'v6' });
    expect(r1.verdict).toBe('fail');
    expect(r1.reasons[0]).toContain('expected 2');
    const fault = BASE.replace('        value: 1\n', '        value: 1\n      - op: munmap\n        at: buf[0]\n        pages: 1\n      - op: read\n        at: buf[0]\n');
    const r2 = await runScenario(loadScenario(fault), classicMirror, { era: 'v6' });
    expect(r2.verdict).toBe('fail');
    expect(r2.reasons[0]).toContain('SIGSEGV');
    const allowed = fault.replace(/( {6}- op: read\n {8}at: buf\[0\]\n)$/, '$1        allow: [SIGSEGV]\n');
    expect((await runScenario(loadScenario(allowed), classicMirror, { era: 'v6' })).verdict).toBe('pass');
    const missing = `${BASE}expect:\n  violations: [use-after-free]\n`;
    const r3 = await runScenario(loadScenario(missing), classicMirror, { era: 'v6' });
    expect(r3.verdict).toBe('fail');
    expect(r3.reasons).toEqual(['expected violation use-after-free did not occur']);
  });
});

const STALE = `name: stale-after-munmap
schedule:
  strategy: random
  preempt: [device, yield]
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 1
    prot: rw
    kind: anon-private
    fill: 5
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      - op: sleep
        ns: 500
      - op: munmap
        at: buf[0]
        pages: 1
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
      - op: sleep
        ns: 1000
      - op: device-read
        at: buf[0]
        allow: [EFAULT]
`;

describe('a broken driver', () => {
  it.each(ERAS)('whose start does not drop translations fails with the oracle violation in %s, and its token replays it', async (era) => {
    const s = loadScenario(STALE);
    expect((await runScenario(s, classicMirror, { era, seed: 3 })).verdict).toBe('pass');
    const r = await runScenario(s, lazyMirror, { era, seed: 3 });
    expect(r.verdict).toBe('fail');
    const kinds = [...new Set(r.violations.map((v) => v.kind))];
    expect(kinds).toContain('use-after-free');
    const again = await runScenario(s, lazyMirror, { era, replay: r.token });
    expect(again.violations.map((v) => `${v.kind}: ${v.message}`)).toEqual(r.violations.map((v) => `${v.kind}: ${v.message}`));
    expect(again.token).toBe(r.token);
    // Declared as expected, the same violations pass.
    const expected = loadScenario(`${STALE}expect:\n  violations: [${kinds.join(', ')}]\n`);
    expect((await runScenario(expected, lazyMirror, { era, seed: 3 })).verdict).toBe('pass');
  });
});
