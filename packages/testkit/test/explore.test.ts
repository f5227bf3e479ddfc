import { andThen, decodeReplayToken, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister } from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import { ClassicMirrorInstance, ClassicMirrorState, classicMirror, classicMirrorOps, withMmuLock } from '../src/classic-mirror/index.js';
import type { DriverFactory } from '../src/contract.js';
import { explore, replay, scheduleSeed } from '../src/explore/index.js';
import { loadScenario, SCENARIO_CATALOGUE } from '../src/scenario/index.js';
import { BASE } from './support/base-scenario.js';
import { lazyMirror } from './support/lazy-mirror.js';
import { removals } from './support/one-minimal.js';

/** A classic mirror without the in-progress / sequence retry: its fault can install a translation an invalidation raced. */
const noRetryMirror: DriverFactory = {
  name: 'no-retry-mirror',
  capabilities: classicMirror.capabilities,
  eras: ['v6'],
  async attach(task: Task, machine: Machine, mm: Mm) {
    const device = new DeviceMmu(machine, { name: 'no-retry-mirror', driverClass: 'no-references' });
    const state = new ClassicMirrorState(machine, mm, device);
    const ops = classicMirrorOps(state, machine.era);
    ops.invalidateRangeStart = (t, _sub, range) => andThen(withMmuLock(state.mmuLock, t, () => state.table.zapRange(range.start, range.end)), () => 0);
    ops.invalidateRangeEnd = (t) => withMmuLock(state.mmuLock, t, () => undefined);
    const sub = new MmuNotifier(ops, 'no-retry-mirror');
    device.answerFor(sub);
    await mmuNotifierRegister(task, sub, mm);
    return new ClassicMirrorInstance(state, sub);
  },
};

const kinds = (vs: readonly { kind: string }[]): string[] => [...new Set(vs.map((v) => v.kind))].sort();

describe('explore', () => {
  const fvm = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']!);

  it('passes the classic mirror on a catalogue scenario, hitting its window, deterministically', async () => {
    const options = { driver: classicMirror, era: 'v6', schedules: 40, seed: 7 } as const;
    const a = await explore(fvm, options);
    expect(a.verdict).toBe('pass');
    expect(a.schedules).toBe(40);
    expect(a.windowHits['mirrored-when-unmapped']).toBeGreaterThan(0);
    expect(a.failing).toBeNull();
    expect(a.shrunk).toBeNull();
    const b = await explore(fvm, options);
    expect(b.windowHits).toEqual(a.windowHits);
    expect(b.verdict).toBe(a.verdict);
  });

  it('fails a mirror that keeps translations over munmap and shrinks the schedule', async () => {
    const options = { driver: lazyMirror, era: 'v6', schedules: 60, seed: 1 } as const;
    const r = await explore(fvm, options);
    expect(r.verdict).toBe('fail');
    const failing = r.failing!;
    const shrunk = r.shrunk!;
    expect(failing.seed).toBe(scheduleSeed(1, r.schedules - 1));
    const original = kinds(failing.violations);
    expect(original.length).toBeGreaterThan(0);
    // (a) no more preemptions, no longer deciding prefix than the original
    expect(shrunk.preemptions).toBeLessThanOrEqual(failing.preemptions);
    expect(shrunk.prefix).toBeLessThanOrEqual(failing.steps);
    // (b) the shrunk token replays to the same violation kinds, without divergence
    const again = await replay(r.scenario, lazyMirror, shrunk.token, { era: 'v6' });
    expect(again.verdict).toBe('fail');
    expect(kinds(again.violations)).toEqual(expect.arrayContaining(original));
    expect(kinds(again.violations)).not.toContain('divergence');
    expect(again.token).toBe(shrunk.token);
    expect(decodeReplayToken(shrunk.token).seed).toBe(failing.seed);
    // (c) 1-minimal within the default budget
    expect(shrunk.minimal).toBe(true);
    // (d) deterministic
    const r2 = await explore(fvm, options);
    expect(r2.shrunk!.token).toBe(shrunk.token);
    expect(r2.failing!.token).toBe(failing.token);
    console.log(`explore shrink: preemptions ${failing.preemptions} -> ${shrunk.preemptions}, decisions ${failing.steps} -> prefix ${shrunk.prefix} (of ${shrunk.steps}), runs ${shrunk.runs}, schedules ${r.schedules}`);
  });

  it('fails a mirror without the fault retry, which needs a preemption, and shrinks it', async () => {
    const options = { driver: noRetryMirror, era: 'v6', schedules: 100, seed: 1 } as const;
    const r = await explore(fvm, options);
    console.log(`no-retry: ${r.verdict} after ${r.schedules} schedules ${JSON.stringify(r.windowHits)}`);
    expect(r.verdict).toBe('fail');
    const failing = r.failing!;
    const shrunk = r.shrunk!;
    expect(shrunk.preemptions).toBeGreaterThan(0);
    expect(shrunk.preemptions).toBeLessThanOrEqual(failing.preemptions);
    const again = await replay(r.scenario, noRetryMirror, shrunk.token, { era: 'v6' });
    expect(kinds(again.violations)).toEqual(expect.arrayContaining(kinds(failing.violations)));
    expect(kinds(again.violations)).not.toContain('divergence');
    console.log(`no-retry shrink: ${kinds(failing.violations).join(',')} preemptions ${failing.preemptions} -> ${shrunk.preemptions}, decisions ${failing.steps} -> prefix ${shrunk.prefix} (of ${shrunk.steps}), runs ${shrunk.runs}`);
    expect(shrunk.minimal).toBe(true);
    const dropped = await removals(r.scenario, noRetryMirror, 'v6', shrunk.token, kinds(failing.violations));
    expect(dropped.filter((d) => d.preemption)).toHaveLength(shrunk.preemptions);
    expect(dropped.filter((d) => d.stillFails)).toEqual([]);
  });

  it('does not claim 1-minimality when the shrink budget runs out first, and still returns a failing token', async () => {
    const r = await explore(fvm, { driver: noRetryMirror, era: 'v6', schedules: 100, seed: 1, shrinkBudget: 4 });
    const shrunk = r.shrunk!;
    expect(shrunk.minimal).toBe(false);
    expect(shrunk.runs).toBeLessThanOrEqual(5); // the budget, then the closing replay
    expect(shrunk.preemptions).toBeLessThanOrEqual(r.failing!.preemptions);
    const again = await replay(r.scenario, noRetryMirror, shrunk.token, { era: 'v6' });
    expect(kinds(again.violations)).toEqual(expect.arrayContaining(kinds(r.failing!.violations)));
    expect(kinds(again.violations)).not.toContain('divergence');
    // With the budget to finish, the same failure shrinks to a verified 1-minimal schedule.
    expect((await explore(fvm, { driver: noRetryMirror, era: 'v6', schedules: 100, seed: 1 })).shrunk!.minimal).toBe(true);
  });

  it('is inconclusive when no schedule can hit the window', async () => {
    // BASE plus a device read, and a window that waits for an unmap no step causes.
    const s = loadScenario(`${BASE}  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[1]
windows:
  - name: never
    pattern:
      - kind: callback
        driver: gpu
        covers: buf[0]
        event: unmap
`);
    const r = await explore(s, { driver: classicMirror, era: 'v6', schedules: 10 });
    expect(r.verdict).toBe('inconclusive');
    expect(r.windowHits).toEqual({ never: 0 });
    expect(r.schedules).toBe(10);
  });
});
