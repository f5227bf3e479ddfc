import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import { checkKillMatrixVariant, INSTALLS_IN_WINDOW, KILL_MATRIX, NO_RETRY_CHECK, SLEEPS_WHEN_NON_BLOCKABLE, AGING_SHORT_CIRCUIT, type KillMatrixVariant } from '../src/kill-matrix/index.js';
import { SCENARIO_CATALOGUE } from '../src/scenario/index.js';
import { removals } from './support/one-minimal.js';

describe('kill matrix', () => {
  for (const v of KILL_MATRIX) {
    const how = v.race ? 'a race: fifo does not catch it, the search does' : 'deterministic: fifo catches it';
    it(`${v.name} (${how}) as ${v.expectedKinds.join(' | ')} within ${v.schedules} schedules; ${v.reference.name} passes`, async () => {
      const c = await checkKillMatrixVariant(v, { seed: 1, shrinkBudget: 40 });
      expect(c.problems, `${v.name}: ${v.bug}`).toEqual([]);
      expect(c.reference.verdict).toBe('pass');
      expect(c.fifo.verdict === 'fail').toBe(!v.race);

      // The shrunk schedule is 1-minimal, checked here from its token alone: no single
      // non-default decision (a preemption, or a non-first pick) can be dropped.
      const r = c.explored;
      const shrunk = r.shrunk!;
      const found = [...new Set(r.failing!.violations.map((x) => x.kind))];
      expect(shrunk.preemptions).toBeLessThanOrEqual(r.failing!.preemptions);
      const dropped = await removals(r.scenario, v.driver, v.era, shrunk.token, found);
      expect(dropped).toHaveLength(shrunk.nonDefault);
      expect(dropped.filter((d) => d.preemption)).toHaveLength(shrunk.preemptions);
      expect(dropped.filter((d) => d.stillFails), JSON.stringify(dropped)).toEqual([]);
      console.log(`${v.name}: caught at schedule ${r.schedules}, preemptions ${r.failing!.preemptions} -> ${shrunk.preemptions} (non-default ${shrunk.nonDefault}), shrink runs ${shrunk.runs}`);
    });
  }

  it('every variant file is in the list, and every name is unique', async () => {
    const files = readdirSync(new URL('../src/kill-matrix/variants/', import.meta.url)).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    for (const f of files) {
      const mod = (await import(`../src/kill-matrix/variants/${f}`)) as Record<string, KillMatrixVariant>;
      const exported = Object.values(mod);
      expect(exported, f).toHaveLength(1);
      expect(KILL_MATRIX, f).toContain(exported[0]);
      expect(exported[0]!.name, f).toBe(f.replace(/\.ts$/, ''));
    }
    expect(KILL_MATRIX).toHaveLength(files.length);
    expect(new Set(KILL_MATRIX.map((v) => v.name)).size).toBe(KILL_MATRIX.length);
  });
});

describe('the kill matrix rules fire', () => {
  it('a deterministic bug labelled a race: fifo catches it', async () => {
    const c = await checkKillMatrixVariant({ ...SLEEPS_WHEN_NON_BLOCKABLE, race: true }, { shrinkBudget: 40 });
    expect(c.problems).toEqual([expect.stringMatching(/^a race, but fifo with no preemption caught it \(might-sleep\)/), 'a race, but its shrunk schedule takes the default choice everywhere']);
  });

  it('a race labelled deterministic: fifo does not catch it', async () => {
    const c = await checkKillMatrixVariant({ ...NO_RETRY_CHECK, race: false }, { shrinkBudget: 40 });
    expect(c.problems).toEqual([expect.stringMatching(/^deterministic, but fifo did not catch it as map-in-invalidation \| access-in-invalidation \| use-after-free \| stale-read \(pass/)]);
  });

  it('a race without its fault (the reference itself): the search does not catch it', async () => {
    const c = await checkKillMatrixVariant({ ...INSTALLS_IN_WINDOW, driver: classicMirror, schedules: 3 });
    expect(c.problems).toEqual([expect.stringMatching(/^the search did not catch it as map-in-invalidation \| access-in-invalidation \| use-after-free within 3 schedules \(pass\)/)]);
  });

  it('a reference that is only inconclusive: its window is never hit', async () => {
    // The idle scan's window asks for an unmap callback the scenario never makes.
    const scenario = SCENARIO_CATALOGUE['idle-scan-vs-device-access']!.replace('callback: test_young', 'callback: invalidate_range_start');
    const c = await checkKillMatrixVariant({ ...AGING_SHORT_CIRCUIT, scenario, schedules: 3 }, { shrinkBudget: 40 });
    expect(c.problems).toEqual(['the reference classic-mirror does not pass the scenario (inconclusive: no window was hit in 3 schedules)']);
  });
});

describe('the kill-matrix subpath (built dist)', () => {
  it('loads from ESM and CommonJS; the main entry does not export it', () => {
    // One Node process (each costs a start-up): the ESM import, then the CJS requires.
    const script = [
      "import { createRequire } from 'node:module';",
      "import { KILL_MATRIX } from '@secondary-mmu/testkit/kill-matrix';",
      'const require = createRequire(process.cwd() + "/");',
      "const names = (m) => m.map((v) => v.name).join(',');",
      "const main = require('@secondary-mmu/testkit');",
      "console.log(JSON.stringify([names(KILL_MATRIX), names(require('@secondary-mmu/testkit/kill-matrix').KILL_MATRIX), ['KILL_MATRIX', 'classicVariant', 'killMatrixScenario'].filter((k) => k in main)]));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const names = KILL_MATRIX.map((v) => v.name).join(',');
    expect(JSON.parse(r.stdout)).toEqual([names, names, []]);
  });
});
