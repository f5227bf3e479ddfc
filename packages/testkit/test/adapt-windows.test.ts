// adaptWindows: which callbacks a pattern element naming a classic invalidation also
// names, where (windows and awaits), and what it leaves alone.
import { describe, expect, it } from 'vitest';
import { adaptWindows } from '../src/scenario/adapt-windows.js';
import { loadScenario } from '../src/scenario/index.js';
import type { Scenario, WindowElement } from '../src/scenario/schema.js';
import { BASE } from './support/base-scenario.js';

/** BASE with one window of `pattern`, and (when given) task cpu's write awaiting `await_`. */
function scenarioWith(pattern: readonly WindowElement[] | null, await_?: WindowElement): Scenario {
  const s = structuredClone<{ -readonly [K in keyof Scenario]: Scenario[K] }>(loadScenario(BASE));
  if (pattern !== null) s.windows = [{ name: 'w', pattern: [...pattern] }];
  if (await_ !== undefined) s.tasks = [{ ...s.tasks[0]!, steps: [s.tasks[0]!.steps[0]!, { ...s.tasks[0]!.steps[0]!, await: await_ }] }];
  return s;
}

const adaptedPattern = (e: WindowElement): WindowElement => adaptWindows(scenarioWith([e])).windows![0]!.pattern[0]!;

describe('adaptWindows: the callbacks that also hear of an invalidation', () => {
  it('invalidate_range_start also names interval_invalidate and the TLB flush, in that order', () => {
    expect(adaptedPattern({ kind: 'callback', callback: 'invalidate_range_start', event: 'unmap' })).toEqual({
      kind: 'callback',
      callback: ['invalidate_range_start', 'interval_invalidate', 'arch_invalidate_secondary_tlbs'],
      event: 'unmap',
    });
  });

  it('the 2008 invalidate_page also names the TLB flush only', () => {
    expect(adaptedPattern({ kind: 'callback', callback: 'invalidate_page' })).toEqual({ kind: 'callback', callback: ['invalidate_page', 'arch_invalidate_secondary_tlbs'] });
  });

  it('a callback already named is not named twice; both classic ones add the flush once', () => {
    expect(adaptedPattern({ kind: 'callback', callback: ['arch_invalidate_secondary_tlbs', 'invalidate_range_start'] })).toEqual({
      kind: 'callback',
      callback: ['arch_invalidate_secondary_tlbs', 'invalidate_range_start', 'interval_invalidate'],
    });
    expect(adaptedPattern({ kind: 'callback', callback: ['invalidate_page', 'invalidate_range_start'] })).toEqual({
      kind: 'callback',
      callback: ['invalidate_page', 'invalidate_range_start', 'interval_invalidate', 'arch_invalidate_secondary_tlbs'],
    });
  });

  it('leaves alone an element naming no such callback, or none, or of another kind (the same object)', () => {
    for (const e of [
      { kind: 'callback', callback: 'invalidate_range_end' },
      { kind: 'callback', callback: ['release', 'clear_young'] },
      { kind: 'callback', event: 'unmap' },
      { kind: 'access', at: 'buf[0]' },
      { kind: 'lifecycle', step: 'freed' },
    ] as WindowElement[]) {
      expect(adaptedPattern(e)).toBe(e);
    }
  });

  it("widens a step's await as a window's element; other steps are kept as they are", () => {
    const s = scenarioWith(null, { kind: 'callback', callback: 'invalidate_page', task: 'kswapd' });
    const a = adaptWindows(s);
    expect(a.tasks[0]!.steps[1]!.await).toEqual({ kind: 'callback', callback: ['invalidate_page', 'arch_invalidate_secondary_tlbs'], task: 'kswapd' });
    expect(a.tasks[0]!.steps[0]).toBe(s.tasks[0]!.steps[0]);
    expect(a).not.toHaveProperty('windows');
    // The input is not modified.
    expect(s.tasks[0]!.steps[1]!.await).toEqual({ kind: 'callback', callback: 'invalidate_page', task: 'kswapd' });
  });

  it('a scenario with windows and no await keeps its tasks; one with neither is returned as it is', () => {
    const s = scenarioWith([{ kind: 'callback', callback: 'invalidate_range_start' }]);
    const a = adaptWindows(s);
    expect(a.tasks).toBe(s.tasks);
    expect(s.windows![0]!.pattern[0]).toEqual({ kind: 'callback', callback: 'invalidate_range_start' });
    const plain = scenarioWith(null);
    expect(adaptWindows(plain)).toBe(plain);
  });

  it('adapting twice is adapting once', () => {
    const once = adaptWindows(scenarioWith([{ kind: 'callback', callback: 'invalidate_range_start' }], { kind: 'callback', callback: 'invalidate_page' }));
    expect(adaptWindows(once)).toEqual(once);
  });

  it('a frozen (validated) scenario is adapted once for all its runs; another is adapted anew each time', () => {
    const frozen = loadScenario(`${BASE}windows:\n  - name: w\n    pattern:\n      - kind: callback\n        callback: invalidate_range_start\n`);
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(adaptWindows(frozen)).toBe(adaptWindows(frozen));
    expect(adaptWindows(frozen).windows![0]!.pattern[0]).toEqual({ kind: 'callback', callback: ['invalidate_range_start', 'interval_invalidate', 'arch_invalidate_secondary_tlbs'] });
    const open = scenarioWith([{ kind: 'callback', callback: 'invalidate_range_start' }]);
    const first = adaptWindows(open);
    (open.windows![0]!.pattern)[0] = { kind: 'callback', callback: 'invalidate_page' };
    expect(adaptWindows(open)).not.toBe(first);
    expect(adaptWindows(open).windows![0]!.pattern[0]).toEqual({ kind: 'callback', callback: ['invalidate_page', 'arch_invalidate_secondary_tlbs'] });
  });
});
