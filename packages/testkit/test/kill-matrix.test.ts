import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import type { DriverFactory } from '../src/contract.js';
import { dmirror } from '../src/dmirror/index.js';
import { explore, replay } from '../src/explore/index.js';
import { KILL_MATRIX, killMatrixScenario, type KillMatrixVariant } from '../src/kill-matrix/index.js';
import { removals } from './support/one-minimal.js';

/** The unmodified reference driver a variant mutates. */
function referenceOf(v: KillMatrixVariant): DriverFactory {
  return v.driver.name.startsWith('dmirror') ? dmirror : classicMirror;
}

const kinds = (vs: readonly { kind: string }[]): string[] => [...new Set(vs.map((x) => x.kind))];

describe('kill matrix', () => {
  for (const v of KILL_MATRIX) {
    it(`${v.name}: caught as ${v.expectedKinds.join(' | ')} within ${v.schedules} schedules`, async () => {
      const scenario = killMatrixScenario(v);
      const r = await explore(scenario, { driver: v.driver, era: v.era, schedules: v.schedules, seed: 1, shrinkBudget: 40 });
      expect(r.verdict, `${v.name}: ${v.bug}`).toBe('fail');
      const found = kinds(r.failing!.violations);
      expect(found.some((k) => v.expectedKinds.includes(k)), `found ${found.join(', ')}`).toBe(true);
      const caught = found.filter((k) => v.expectedKinds.includes(k));
      const replayed = await replay(r.scenario, v.driver, r.shrunk!.token, { era: v.era });
      const again = kinds(replayed.violations);
      expect(caught.some((k) => again.includes(k)), `replay found ${again.join(', ')}`).toBe(true);

      // The shrunk schedule is 1-minimal, checked here from its token: no single
      // non-default decision (a preemption, or a non-first pick) can be dropped.
      const shrunk = r.shrunk!;
      expect(shrunk.minimal, `${v.name}: shrink budget spent before 1-minimality was verified`).toBe(true);
      expect(shrunk.preemptions).toBeLessThanOrEqual(r.failing!.preemptions);
      const dropped = await removals(r.scenario, v.driver, v.era, shrunk.token, found);
      expect(dropped).toHaveLength(shrunk.nonDefault);
      expect(dropped.filter((d) => d.preemption)).toHaveLength(shrunk.preemptions);
      expect(dropped.filter((d) => d.stillFails), JSON.stringify(dropped)).toEqual([]);
      console.log(`${v.name}: preemptions ${r.failing!.preemptions} -> ${shrunk.preemptions} (non-default ${shrunk.nonDefault}), shrink runs ${shrunk.runs}`);

      const ref = await explore(scenario, { driver: referenceOf(v), era: v.era, schedules: v.schedules, seed: 1 });
      expect(ref.failing?.violations ?? [], `reference ${referenceOf(v).name}`).toEqual([]);
      expect(ref.verdict).not.toBe('fail');
    });
  }
});
