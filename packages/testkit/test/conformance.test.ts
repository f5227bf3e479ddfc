import { ERAS } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import {
  checkDriver,
  CONFORMANCE_SCENARIOS,
  formatConformanceReport,
  planConformance,
  type ConformanceCase,
  type ConformanceReport,
  type ConformanceScenario,
} from '../src/conformance/index.js';
import type { DriverFactory, DriverInstance } from '../src/contract.js';
import { dmirror } from '../src/dmirror/index.js';
import { loadScenario, runScenario } from '../src/scenario/index.js';
import { lazyMirror } from './support/lazy-mirror.js';

const statuses = (r: ConformanceReport): string[] => r.cases.map((c) => `${c.title}: ${c.status}`);
const totalHits = (c: ConformanceCase): number => Object.values(c.windowHits).reduce((a, b) => a + b, 0);

describe('checkDriver with the reference drivers', () => {
  it('classicMirror passes every scenario in every era it is for, at 0 and 50 ns of device latency, hitting each window', async () => {
    const r = await checkDriver(classicMirror);
    expect(r.latencies).toEqual([
      { fault: 0, access: 0 },
      { fault: 50, access: 50 },
    ]);
    expect(r.cases).toHaveLength(CONFORMANCE_SCENARIOS.length * ERAS.length * 2);
    // The latency is in the case's name (none for zero).
    expect(r.cases.filter((c) => c.latency.fault === 50).every((c) => c.title === `${c.scenario} [${c.era}] @ 50 ns`)).toBe(true);
    expect(r.cases.filter((c) => c.latency.fault === 0).every((c) => c.title === `${c.scenario} [${c.era}]`)).toBe(true);
    expect(statuses(r).filter((s) => !s.endsWith(': pass') && !s.endsWith(': skipped')), formatConformanceReport(r)).toEqual([]);
    expect(r.ok).toBe(true);
    for (const c of r.cases) {
      if (c.status === 'skipped') {
        // Only by the scenario's own eras: release-vs-unregister (the kernel had the bug before),
        // idle-scan-vs-device-access (clear_young came in 4.3), reap-vs-held-driver-lock
        // (the OOM reaper came in 4.6) and the flush-timing scenarios
        // munmap-range-vs-device-reads and cow-vs-shared-tlb are for v6.
        expect(c.skip?.capability, `${c.scenario} [${c.era}]`).toBe('era');
        expect(c.skip?.reason).toContain(`not for era ${c.era}`);
        continue;
      }
      if (!c.scenario.startsWith('hmm-')) expect(totalHits(c), c.title).toBeGreaterThan(0);
      expect(c.violations).toEqual([]);
      expect(c.runs).toHaveLength(r.seeds.length);
    }
    expect(r.counts.skipped).toBe(20); // five v6-only scenarios × two 2008 eras × two latencies
  });

  it('dmirror passes in v6 and reports the 2008 eras as skipped, not declared, and aging as a capability it lacks', async () => {
    const r = await checkDriver(dmirror);
    expect(r.ok, formatConformanceReport(r)).toBe(true);
    for (const c of r.cases) {
      if (c.era === 'v6' && (c.scenario === 'access-vs-aging' || c.scenario === 'idle-scan-vs-device-access')) {
        expect(c.status).toBe('skipped');
        expect(c.skip?.capability).toBe('implementsAging');
      } else if (c.era === 'v6') {
        expect(c.status, `${c.title}: ${c.reasons.join('; ')}`).toBe('pass');
        if (!c.scenario.startsWith('hmm-')) expect(totalHits(c), c.title).toBeGreaterThan(0);
      } else {
        expect(c.status).toBe('skipped');
        expect(c.skip?.capability).toBe('era');
        expect(c.skip?.reason).toContain(`does not declare era ${c.era}`);
        expect(c.runs).toEqual([]);
      }
    }
    expect(r.counts.skipped).toBe((CONFORMANCE_SCENARIOS.length * 2 + 2) * 2);
  });

  it('is deterministic and honours eras, seeds and scenario names', async () => {
    const opts = { eras: ['v6'] as const, seeds: [2, 3], scenarios: ['fault-vs-munmap', 'exit-vs-device-access'], latencies: [{}, { fault: 200 }] };
    const a = await checkDriver(classicMirror, opts);
    const b = await checkDriver(classicMirror, opts);
    expect(a.cases.map((c) => c.title)).toEqual(['fault-vs-munmap [v6]', 'fault-vs-munmap [v6] @ fault 200 ns, access 0 ns', 'exit-vs-device-access [v6]', 'exit-vs-device-access [v6] @ fault 200 ns, access 0 ns']);
    expect(a.ok).toBe(true);
    expect(b.cases.map((c) => c.runs.map((x) => x.token))).toEqual(a.cases.map((c) => c.runs.map((x) => x.token)));
    expect(() => planConformance(classicMirror, { scenarios: ['no-such'] })).toThrow(/unknown conformance scenario "no-such"/);
  });
});

describe('a broken driver', () => {
  it('fails with violations whose replay tokens reproduce them', async () => {
    const r = await checkDriver(lazyMirror, { eras: ['v6'], seeds: [1, 2, 3, 4] });
    expect(r.ok).toBe(false);
    const failed = r.cases.filter((c) => c.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    const c = failed.find((x) => x.violations.length > 0)!;
    expect(c).toBeDefined();
    const v = c.violations[0]!;
    expect(v.token).not.toBe('');
    expect(c.reasons.some((x) => x.includes(v.token))).toBe(true);
    expect(formatConformanceReport(r)).toContain(`replay ${v.token}`);
    const spec = CONFORMANCE_SCENARIOS.find((s) => s.name === c.scenario)!;
    const again = await runScenario(loadScenario(spec.source as string), lazyMirror, { era: c.era, replay: v.token });
    expect(again.verdict).toBe('fail');
    expect(again.violations.map((x) => x.kind)).toContain(v.kind);
    expect(again.violations.map((x) => x.message)).toContain(v.message);
    // A real coherence bug, not a contract slip: the oracle saw stale device accesses.
    expect(v.kind).not.toBe('notifier-warn');
  });
});

const PREFETCHING: ConformanceScenario = {
  name: 'prefetch-then-read',
  requires: ['prefetch'],
  source: `name: prefetch-then-read
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 3
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - op: device-prefetch
        at: buf[0]
        pages: 2
      - op: device-read
        at: buf[1]
        expect: 4
`,
};

/** classicMirror whose instances have no `prefetch`. */
const noPrefetch: DriverFactory = {
  ...classicMirror,
  name: 'no-prefetch-mirror',
  async attach(task, machine, mm) {
    const inner = await classicMirror.attach(task, machine, mm);
    const plain: DriverInstance = {
      device: inner.device,
      mm: inner.mm,
      read: (t, a) => inner.read(t, a),
      write: (t, a, v) => inner.write(t, a, v),
      detach: (t) => inner.detach(t),
    };
    return plain;
  },
};

describe('skipping by capability', () => {
  it('a scenario needing a capability the driver does not declare is skipped, naming it', async () => {
    const blocking: ConformanceScenario = { ...PREFETCHING, name: 'needs-blocking', requires: ['mayBlock'] };
    const r = await checkDriver(classicMirror, { eras: ['v6'], seeds: [1], scenarios: [blocking, 'fault-vs-munmap'] });
    expect(r.cases[0]).toEqual(expect.objectContaining({ status: 'skipped', skip: { capability: 'mayBlock', reason: expect.stringContaining('mayBlock') as string } }));
    expect(r.cases[0]!.runs).toEqual([]);
    // Declared through the override, it runs.
    const declared = await checkDriver(classicMirror, { eras: ['v6'], seeds: [1], scenarios: [blocking], capabilities: { mayBlock: true } });
    expect(declared.cases[0]!.status).toBe('pass');
  });

  it('prefetch: run when implemented, skipped when the instance has none or it is declared absent', async () => {
    const opts = { eras: ['v6' as const], seeds: [1], scenarios: [PREFETCHING] };
    expect((await checkDriver(classicMirror, opts)).cases[0]!.status).toBe('pass');
    const found = await checkDriver(noPrefetch, opts);
    expect(found.cases[0]).toEqual(expect.objectContaining({ status: 'skipped', skip: expect.objectContaining({ capability: 'prefetch' }) as unknown }));
    expect(found.ok).toBe(true);
    const declared = await checkDriver(noPrefetch, { ...opts, capabilities: { prefetch: false } });
    expect(declared.cases[0]!.skip?.capability).toBe('prefetch');
    expect(declared.cases[0]!.runs).toEqual([]);
  });

  it('an inconclusive case makes the report not ok unless allowed', async () => {
    const never: ConformanceScenario = {
      name: 'never-hit',
      source: `${PREFETCHING.source as string}windows:\n  - name: never\n    pattern:\n      - kind: scan\n        verdict: freed\n`,
    };
    const r = await checkDriver(classicMirror, { eras: ['v6'], seeds: [1, 2], scenarios: [never] });
    expect(r.cases[0]!.status).toBe('inconclusive');
    expect(r.cases[0]!.reasons[0]).toContain('no window was hit on any of seeds 1, 2');
    expect(r.ok).toBe(false);
    expect((await checkDriver(classicMirror, { eras: ['v6'], seeds: [1, 2], scenarios: [never], allowInconclusive: true })).ok).toBe(true);
  });
});
