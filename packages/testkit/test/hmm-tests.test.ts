// The hmm-tests cases as scenarios, and the `error` step field they rely on.
import { ERAS, isSmmuError, SmmuError } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { classicMirror, type ClassicMirrorInstance } from '../src/classic-mirror/index.js';
import { HMM_TESTS_SCENARIOS } from '../src/conformance/index.js';
import type { DriverFactory, DriverInstance } from '../src/contract.js';
import { dmirror, type DmirrorInstance } from '../src/dmirror/index.js';
import { loadScenario, runScenario } from '../src/scenario/index.js';
import { lazyMirror } from './support/lazy-mirror.js';

describe.each(Object.entries(HMM_TESTS_SCENARIOS))('%s', (name, text) => {
  const scenario = loadScenario(text, { source: name });
  it.each([...ERAS.map((era) => [classicMirror, era] as const), [dmirror, 'v6'] as const])('passes with %s in %s, no violation', async (driver, era) => {
    const r = await runScenario(scenario, driver, { era });
    expect(r.reasons).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.violations).toEqual([]);
  });
});

/** `factory`, keeping every instance it attaches (in attach order) for the test to inspect. */
function keeping<I extends DriverInstance>(factory: DriverFactory): { factory: DriverFactory; instances: I[] } {
  const instances: I[] = [];
  return {
    instances,
    factory: {
      ...factory,
      async attach(task, machine, mm) {
        const inst = await factory.attach(task, machine, mm);
        instances.push(inst as I);
        return inst;
      },
    },
  };
}

/** Device faults an instance took: dmirror's `faults` (hmm-tests' `cmd.faults`), the classic mirror's `stats.faults`. */
const faultsOf = (i: DriverInstance): number => ('stats' in i ? (i as ClassicMirrorInstance).stats.faults : (i as DmirrorInstance).faults);

describe('what the kernel test counts, where the drivers expose it', () => {
  it.each([dmirror, classicMirror])('hmm-anon-write-prot with %s: one fault for the zero-page read, one per page written, a new page for each', async (driver) => {
    const kept = keeping(driver);
    const r = await runScenario(loadScenario(HMM_TESTS_SCENARIOS['hmm-anon-write-prot']!), kept.factory, { era: 'v6' });
    expect(r.verdict, r.reasons.join('; ')).toBe('pass');
    // The read faults once; the refused writes are not counted by dmirror (the fault failed)
    // but begun by the classic mirror; the two writes after mprotect fault once each.
    expect(faultsOf(kept.instances[0]!)).toBe(driver === dmirror ? 3 : 5);
    // The device read the zero page; its writes went to new pages, not into the zero page.
    const zero = r.machine.mem.allocator.zeroPfn;
    const accesses = r.trace.accesses.map((a) => ({ write: a.write, zero: a.pfn === zero }));
    expect(accesses).toEqual([{ write: false, zero: true }, { write: true, zero: false }, { write: true, zero: false }]);
  });

  it.each([dmirror, classicMirror])('hmm-double-map with %s: each device faults every page in itself, once', async (driver) => {
    const kept = keeping(driver);
    const r = await runScenario(loadScenario(HMM_TESTS_SCENARIOS['hmm-double-map']!), kept.factory, { era: 'v6' });
    expect(r.verdict, r.reasons.join('; ')).toBe('pass');
    expect(kept.instances.map(faultsOf)).toEqual([6, 6]);
  });
});

describe('the ports fail a driver that does not do what the kernel test checks', () => {
  it('hmm-anon-write-prot: a refused write must be EPERM, not EFAULT', async () => {
    const efault: DriverFactory = {
      ...dmirror,
      name: 'efault-mirror',
      async attach(task, machine, mm) {
        const inner = await dmirror.attach(task, machine, mm);
        return {
          device: inner.device,
          mm: inner.mm,
          read: (t, a) => inner.read(t, a),
          // get_user_pages-style: every refused write is EFAULT.
          write: async (t, a, v) => {
            try {
              await inner.write(t, a, v);
            } catch (e) {
              throw isSmmuError(e, 'EPERM') ? new SmmuError('EFAULT', 'write refused') : e;
            }
          },
          detach: (t) => inner.detach(t),
        };
      },
    };
    const r = await runScenario(loadScenario(HMM_TESTS_SCENARIOS['hmm-anon-write-prot']!), efault, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.reasons[0]).toMatch(/task "engine" step 1 \(device-write\): EFAULT: write refused/);
  });

  it('hmm-anon-teardown: a mirror that keeps translations past the unmap is caught on some seed', async () => {
    const scenario = loadScenario(HMM_TESTS_SCENARIOS['hmm-anon-teardown']!);
    const verdicts: string[] = [];
    for (const seed of [1, 2, 3, 4]) verdicts.push((await runScenario(scenario, lazyMirror, { era: 'v6', seed })).verdict);
    expect(verdicts).toContain('fail');
  });
});

describe('a step’s error', () => {
  const text = HMM_TESTS_SCENARIOS['hmm-anon-write-prot']!;

  it('a step that must fail but succeeds is a failure naming the code', async () => {
    const writable = loadScenario(text.replace('    prot: r\n', '    prot: rw\n'), { source: 'x' });
    const r = await runScenario(writable, classicMirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.reasons[0]).toMatch(/task "engine" step 1 \(device-write\): succeeded, expected EPERM$/);
  });

  it('failing with another code than the one named is a failure naming the error', async () => {
    const other = loadScenario(text.replace('error: EPERM', 'error: [ENOMEM, EFAULT]'), { source: 'x' });
    const r = await runScenario(other, dmirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.reasons[0]).toMatch(/task "engine" step 1 \(device-write\): EPERM/);
  });

  it('an unknown code is rejected at load, naming the field', () => {
    expect(() => loadScenario(text.replace('error: EPERM', 'error: EWHAT'), { source: 'x.yaml' })).toThrow(/tasks\[0\]\.steps\[1\]\.error/);
  });
});
