import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { movingMirror } from './support/moving-mirror.js';

// One runtime for both entries: the runner from one entry of the built packages, the
// driver's core-mm, mmu-notifier and testkit classes from the other. A verdict never
// depends on which entry each came from. (Needs the built dist, as the entry tests do.)
type Testkit = typeof import('@secondary-mmu/testkit');
type CoreMm = typeof import('@secondary-mmu/core-mm');

const require = createRequire(import.meta.url);
const entries = {
  esm: { testkit: await import('@secondary-mmu/testkit'), core: await import('@secondary-mmu/core-mm') },
  cjs: { testkit: require('@secondary-mmu/testkit') as Testkit, core: require('@secondary-mmu/core-mm') as CoreMm },
};
type Entry = keyof typeof entries;

/** The moving classic mirror built entirely from `entry`'s copies of our packages. */
function driverFrom(entry: Entry) {
  const { testkit, core } = entries[entry];
  return movingMirror(testkit.classicMirror, core.movePages);
}

/** Scenarios (v6) where moving each page before the access is itself correct. */
const SCENARIOS = ['hmm-anon-read', 'hmm-anon-write', 'hmm-anon-write-prot', 'hmm-file-read-write', 'hmm-two-devices-share-writes', 'writeback-vs-device-write', 'fork-cow-vs-device-write', 'access-vs-reclaim'];

/** Every case's verdict, one line each: status, window hits and violations. */
async function verdicts(runner: Entry, driver: Entry): Promise<string[]> {
  const report = await entries[runner].testkit.checkDriver(driverFrom(driver), { eras: ['v6'], seeds: [1], scenarios: SCENARIOS });
  return report.cases.map((c) => `${c.scenario}: ${c.status} ${JSON.stringify(c.windowHits)} ${c.violations.map((v) => v.message).join('; ')}`);
}

/** One scenario run, as comparable text: verdict, token, violations and the whole notifier trace. */
async function run(runner: Entry, driver: Entry, scenario: string, seed: number): Promise<string> {
  const { testkit } = entries[runner];
  const r = await testkit.runScenario(testkit.loadScenario(scenario), driverFrom(driver), { era: 'v6', seed });
  return JSON.stringify({ verdict: r.verdict, token: r.token, violations: r.violations.map((v) => `${v.kind}: ${v.message}`), trace: r.trace.toJSON() });
}

describe('one runtime for both entries', () => {
  it('the two entries really are two copies of each package', () => {
    expect(entries.esm.core.AnonVma).not.toBe(entries.cjs.core.AnonVma);
    expect(entries.esm.testkit.checkDriver).not.toBe(entries.cjs.testkit.checkDriver);
  });

  it('a CommonJS-loaded driver judged by the ESM runner gets the verdicts of the ESM-loaded one', async () => {
    const same = await verdicts('esm', 'esm');
    expect(same.filter((v) => v.includes(': fail '))).toEqual([]);
    expect(await verdicts('esm', 'cjs')).toEqual(same);
  });

  it('and the reverse: an ESM-loaded driver judged by the CommonJS runner', async () => {
    expect(await verdicts('cjs', 'esm')).toEqual(await verdicts('cjs', 'cjs'));
  });

  it('a mixed run is the same run: token, violations and notifier trace', async () => {
    const { HMM_ANON_WRITE, FORK_COW_VS_DEVICE_WRITE } = entries.esm.testkit;
    for (const scenario of [HMM_ANON_WRITE, FORK_COW_VS_DEVICE_WRITE]) {
      expect(await run('esm', 'cjs', scenario, 3)).toBe(await run('esm', 'esm', scenario, 3));
      expect(await run('cjs', 'esm', scenario, 3)).toBe(await run('cjs', 'cjs', scenario, 3));
    }
  });

  it("a token recorded by one entry's runner replays in the other's: same run, no warning", async () => {
    const scenario = entries.esm.testkit.loadScenario(entries.esm.testkit.ACCESS_VS_RECLAIM);
    for (const [from, to] of [['cjs', 'esm'], ['esm', 'cjs']] as const) {
      const recorded = await entries[from].testkit.runScenario(scenario, driverFrom(from), { era: 'v6', seed: 3, strategy: 'random' });
      const replayed = await entries[to].testkit.runScenario(scenario, driverFrom(from), { era: 'v6', replay: recorded.token });
      expect([replayed.verdict, replayed.token, replayed.machine.report.warnings]).toEqual([recorded.verdict, recorded.token, []]);
    }
  });

  it("the driver's own verify agrees with the runner's on the machine the runner built", async () => {
    // A driver test that checks the machine with its own copy of core-mm: before brand
    // checks, "anonymous pfn 1 names undefined (inode 1) as its mapping, not an anon_vma".
    for (const [runner, driver] of [['esm', 'cjs'], ['cjs', 'esm']] as const) {
      const { testkit } = entries[runner];
      const r = await testkit.runScenario(testkit.loadScenario(testkit.HMM_ANON_WRITE), driverFrom(driver), { era: 'v6' });
      expect(r.verdict).toBe('pass');
      expect(r.machine.mem.frames.count).toBeGreaterThan(0);
      expect(entries[runner].core.verify(r.machine, { record: false })).toEqual([]);
      expect(entries[driver].core.verify(r.machine, { record: false })).toEqual([]);
    }
  });

  it("the driver's verify still finds a real corruption on the runner's machine", async () => {
    const { testkit } = entries.esm;
    const r = await testkit.runScenario(testkit.loadScenario(testkit.HMM_ANON_WRITE), driverFrom('cjs'), { era: 'v6' });
    const f = r.machine.mem.frames;
    const pfn = [...Array(f.count).keys()].find((p) => (f.flags[p]! & entries.esm.core.PG.anon) !== 0 && f.mapcount[p]! > 0)!;
    const anonVma = f.mapping[pfn]!;
    const stray = r.machine.mem.createFile('stray', 4096).id;
    f.mapping[pfn] = stray; // an anonymous page now names a file
    const found = entries.cjs.core.verify(r.machine, { record: false }).map((v) => v.message);
    f.mapping[pfn] = anonVma; // put it back for the after-each verify
    expect(found).toContain(`anonymous pfn ${pfn} names stray (inode ${stray}) as its mapping, not an anon_vma`);
  });

  it('errors thrown through one entry are instances of the other entry’s classes', async () => {
    const { esm, cjs } = entries;
    const e = await cjs.testkit.runScenario({} as never, cjs.testkit.classicMirror, { era: 'v6' }).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(esm.testkit.ScenarioError);
    expect(e).toBeInstanceOf(esm.core.SmmuError);
    expect(e).not.toBeInstanceOf(esm.testkit.TestkitArgumentError);
    await expect(esm.testkit.runScenario(esm.testkit.loadScenario(esm.testkit.HMM_ANON_READ), cjs.testkit.classicMirror, { era: 'v6', seed: 0.5 })).rejects.toThrow(
      cjs.testkit.TestkitArgumentError,
    );
    expect(() => cjs.testkit.defineDriver({} as never)).toThrow(esm.testkit.DriverSpecError);
  });
});
