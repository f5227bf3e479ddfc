// How a conformance case's verdict (pass / fail / inconclusive / skipped) and its reasons
// follow from its seeds' runs. runScenario is replaced by a script of per-seed results, so
// each test states exactly what every seed answered and what the case must say.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DriverFactory } from '../src/contract.js';
import type { PlannedCase } from '../src/conformance/plan.js';
import { runConformanceCase } from '../src/conformance/run-case.js';
import { loadConformanceScenario } from '../src/conformance/scenario.js';
import type { RunScenarioOptions, ScenarioResult } from '../src/scenario/run.js';
import { BASE } from './support/base-scenario.js';

/** What a seed's run answers: a result, or a throw. */
type Answer = Pick<ScenarioResult, 'verdict' | 'reasons' | 'windowHits'> & { violations?: { kind: string; message: string }[] } | { throws: unknown };

const script = new Map<number, Answer>();
const calls: RunScenarioOptions[] = [];

vi.mock('../src/scenario/run.js', async (original) => ({
  ...(await original<object>()),
  runScenario: (_s: unknown, _f: unknown, options: RunScenarioOptions) => {
    calls.push(options);
    const a = script.get(options.seed!)!;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a run throwing something other than an Error is a case under test
    return 'throws' in a ? Promise.reject(a.throws) : Promise.resolve({ violations: [], ...a, token: `T${options.seed}` });
  },
}));

beforeEach(() => {
  script.clear();
  calls.length = 0;
});

const factory = { name: 'fake', capabilities: {}, eras: ['v6'], attach: () => ({}) } as unknown as DriverFactory;
const latency = { fault: 0, access: 0 };
const windowed = loadConformanceScenario({ name: 'race', source: `${BASE}windows:\n  - name: a\n    pattern: [{ kind: access }]\n  - name: b\n    pattern: [{ kind: scan }]\n` });
const plain = loadConformanceScenario({ name: 'plain', source: BASE });
const planned = (scenario = windowed): PlannedCase => ({ scenario, era: 'v6', latency });
const seeds = { seeds: [1, 2] };

const pass = (windowHits: Record<string, number> = { a: 1, b: 0 }): Answer => ({ verdict: 'pass', reasons: [], windowHits });
const missed: Answer = { verdict: 'inconclusive', reasons: ['no window was hit (a, b)'], windowHits: { a: 0, b: 0 } };

describe('runConformanceCase: a case judged over its seeds', () => {
  it('pass: every seed passed; window hits summed over the seeds, each run kept', async () => {
    script.set(1, pass({ a: 1, b: 0 })).set(2, pass({ a: 2, b: 1 }));
    expect(await runConformanceCase(factory, planned(), seeds)).toEqual({
      scenario: 'race',
      era: 'v6',
      latency,
      title: 'race [v6]',
      status: 'pass',
      violations: [],
      reasons: [],
      windowHits: { a: 3, b: 1 },
      runs: [
        { seed: 1, verdict: 'pass', token: 'T1', windowHits: { a: 1, b: 0 }, reasons: [] },
        { seed: 2, verdict: 'pass', token: 'T2', windowHits: { a: 2, b: 1 }, reasons: [] },
      ],
    });
    expect(calls).toStrictEqual([
      { era: 'v6', seed: 1, deviceLatency: latency },
      { era: 'v6', seed: 2, deviceLatency: latency },
    ]);
  });

  it("the plan's strategy, when set, goes to every run", async () => {
    script.set(3, pass());
    await runConformanceCase(factory, planned(), { seeds: [3], strategy: 'pct' });
    expect(calls).toStrictEqual([{ era: 'v6', seed: 3, deviceLatency: latency, strategy: 'pct' }]);
  });

  it('pass: a window missed on one seed but hit on another', async () => {
    script.set(1, missed).set(2, pass({ a: 0, b: 2 }));
    const c = await runConformanceCase(factory, planned(), seeds);
    expect([c.status, c.reasons, c.windowHits]).toEqual(['pass', [], { a: 0, b: 2 }]);
  });

  it('fail: a seed failed; its reasons (with seed and replay token) and every violation of every seed', async () => {
    script
      .set(1, { verdict: 'inconclusive', reasons: ['skipped: device-prefetch buf[1]: nothing'], windowHits: { a: 1, b: 0 }, violations: [{ kind: 'seen', message: 'on a seed that did not fail' }] })
      .set(2, { verdict: 'fail', reasons: ['step cpu.0 read 1, expected 2', 'no window was hit (a, b)'], windowHits: { a: 0, b: 0 }, violations: [{ kind: 'stale-read', message: 'read old data' }] });
    const c = await runConformanceCase(factory, planned(), seeds);
    expect(c.status).toBe('fail');
    expect(c.reasons).toEqual(['seed 2 (replay T2): step cpu.0 read 1, expected 2']);
    expect(c.violations).toEqual([
      { kind: 'seen', message: 'on a seed that did not fail', seed: 1, token: 'T1' },
      { kind: 'stale-read', message: 'read old data', seed: 2, token: 'T2' },
    ]);
    expect(c.skip).toBeUndefined();
  });

  it('fail: a run that threw (an Error or anything else) fails, with no token to replay', async () => {
    script.set(1, { throws: new Error('attach exploded') }).set(2, { throws: 'a string' });
    const c = await runConformanceCase(factory, planned(), seeds);
    expect(c.status).toBe('fail');
    expect(c.reasons).toEqual(['seed 1: threw: attach exploded', 'seed 2: threw: a string']);
    expect(c.runs[0]).toEqual({ seed: 1, verdict: 'fail', token: '', windowHits: {}, reasons: ['threw: attach exploded'] });
    expect(c.violations).toEqual([]);
  });

  it('a thrown run counts no window hit; the others still sum', async () => {
    script.set(1, { throws: new Error('x') }).set(2, pass({ a: 2, b: 0 }));
    expect((await runConformanceCase(factory, planned(), seeds)).windowHits).toEqual({ a: 2, b: 0 });
  });

  it('skipped (prefetch): a run met an instance without prefetch; a failed seed still fails the case', async () => {
    const noPrefetch: Answer = { verdict: 'inconclusive', reasons: ['skipped: device-prefetch buf[0]: driver has no prefetch'], windowHits: { a: 1, b: 0 } };
    script.set(1, pass()).set(2, noPrefetch);
    const c = await runConformanceCase(factory, planned(), seeds);
    const reason = 'driver "fake" has no prefetch, which scenario "race" needs';
    expect([c.status, c.skip, c.reasons]).toEqual(['skipped', { capability: 'prefetch', reason }, [reason]]);
    expect(c.runs).toHaveLength(2);

    script.set(1, { verdict: 'fail', reasons: ['boom'], windowHits: { a: 0, b: 0 } });
    expect((await runConformanceCase(factory, planned(), seeds)).status).toBe('fail');
  });

  it('inconclusive: no window hit on any seed, said once for all the seeds (not once per seed)', async () => {
    script.set(1, missed).set(2, missed);
    const c = await runConformanceCase(factory, planned(), seeds);
    expect([c.status, c.reasons]).toEqual(['inconclusive', ['no window was hit on any of seeds 1, 2 (a, b)']]);
  });

  it('inconclusive: a seed skipped a step, said with its seed and token', async () => {
    script.set(1, pass()).set(2, { verdict: 'inconclusive', reasons: ['skipped: something else'], windowHits: { a: 1, b: 0 } });
    const c = await runConformanceCase(factory, planned(), seeds);
    expect([c.status, c.reasons]).toEqual(['inconclusive', ['seed 2 (replay T2): skipped: something else']]);
  });

  it('a scenario without windows passes with no hits to count', async () => {
    script.set(1, pass({})).set(2, pass({}));
    const c = await runConformanceCase(factory, planned(plain), seeds);
    expect([c.status, c.reasons, c.windowHits]).toEqual(['pass', [], {}]);
  });

  it('skipped by the plan: returned unrun, with the reason', async () => {
    const skip = { capability: 'era', reason: 'not for this era' } as const;
    expect(await runConformanceCase(factory, { ...planned(), skip }, seeds)).toEqual({
      scenario: 'race',
      era: 'v6',
      latency,
      title: 'race [v6]',
      status: 'skipped',
      skip,
      violations: [],
      reasons: ['not for this era'],
      windowHits: {},
      runs: [],
    });
    expect(calls).toEqual([]);
  });
});
