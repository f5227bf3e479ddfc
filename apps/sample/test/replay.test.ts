import { describe, expect, it } from 'vitest';
import { facts } from '../src/facts.js';
import { measure } from '../src/measure.js';
import { renderSample } from '../src/render.js';
import { runSample } from '../src/run-sample.js';
import { defaultRun } from './support/sample.js';

describe('the replay token of the run', () => {
  it('replays to the same measurements, facts and token', async () => {
    const first = await defaultRun();
    const again = measure(await runSample({ replay: first.token }));
    expect(again).toEqual(first);
    expect(facts(again)).toEqual(facts(first));
  });

  it('is printed with every figure measured in the run', async () => {
    const m = await defaultRun();
    const text = renderSample(m, facts(m));
    expect(m.replay).toBe(`npm run sample -- --replay ${m.token}`);
    expect(text).toContain(`Replay this run: ${m.replay}`);
    expect(text).toContain(`of which recalls ${m.xpmemRecallNs} ns`);
  });

  it('a malformed token is refused before anything runs, naming it', async () => {
    await expect(runSample({ replay: 'smmu2.not-a-token.00000000' })).rejects.toThrow(/smmu2\.not-a-token/);
  });
});
