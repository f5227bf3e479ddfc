import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import { loadScenario, runScenario, ScenarioError } from '../src/scenario/index.js';
import { thrown } from './support/thrown.js';

/** Two mappings of `app` (`hi` built first, `lo` right below it) and one of `peer`; a munmap at `at` of `pages`. */
function text(at: string, pages: number, order: 'hi-lo' | 'lo-hi' = 'hi-lo'): string {
  const hi = '  - { name: hi, process: app, pages: 2, prot: rw, kind: anon-private, fill: 200 }';
  const lo = '  - { name: lo, process: app, pages: 2, prot: rw, kind: anon-private, fill: 100 }';
  return `name: munmap-across
processes: [{ name: app }, { name: peer }]
mappings:
${order === 'hi-lo' ? `${hi}\n${lo}` : `${lo}\n${hi}`}
  - { name: other, process: peer, pages: 1, prot: rw, kind: anon-private }
drivers: []
tasks:
  - name: cpu
    process: app
    steps:
      - { op: munmap, at: "${at}", pages: ${pages} }
      - { op: read, at: "hi[0]", error: SIGSEGV }
      - { op: read, at: "hi[1]", expect: 201 }
      - { op: read, at: "lo[0]", expect: 100 }
`;
}

describe('scenario loader: a munmap across adjacent mappings', () => {
  it('accepts one running on into the mapping built right above, and it unmaps both sides', async () => {
    const scenario = loadScenario(text('lo[1]', 2));
    const r = await runScenario(scenario, classicMirror, { era: 'v6', seed: 1 });
    expect(r.reasons).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  it('refuses one running past every mapping above, or into a mapping built below', async () => {
    for (const [at, pages, order] of [
      ['lo[1]', 4, 'hi-lo'], // hi has 2 pages: lo[1] + 4 runs one page past it
      ['hi[1]', 2, 'hi-lo'], // nothing is built above hi
      ['lo[1]', 2, 'lo-hi'], // hi is built below lo, not above
    ] as const) {
      const e = await thrown(() => loadScenario(text(at, pages, order)));
      expect(e, `${at} + ${pages} (${order})`).toBeInstanceOf(ScenarioError);
      expect(String(e)).toMatch(/runs beyond mapping/);
    }
  });
});
