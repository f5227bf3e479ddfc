// The hmm-tests cases as scenarios, and the `error` step field they rely on.
import { ERAS } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { classicMirror } from '../src/classic-mirror/index.js';
import { HMM_TESTS_SCENARIOS } from '../src/conformance/index.js';
import { dmirror } from '../src/dmirror/index.js';
import { loadScenario, runScenario } from '../src/scenario/index.js';

describe.each(Object.entries(HMM_TESTS_SCENARIOS))('%s', (name, text) => {
  const scenario = loadScenario(text, { source: name });
  it.each([...ERAS.map((era) => [classicMirror, era] as const), [dmirror, 'v6'] as const])('passes with %s in %s, no violation', async (driver, era) => {
    const r = await runScenario(scenario, driver, { era });
    expect(r.reasons).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.violations).toEqual([]);
  });
});

describe('a step’s error', () => {
  const text = HMM_TESTS_SCENARIOS['hmm-write-read-only']!;

  it('a step that must fail but succeeds is a failure naming the codes', async () => {
    const writable = loadScenario(text.replace('    prot: r\n', '    prot: rw\n'), { source: 'x' });
    const r = await runScenario(writable, classicMirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.reasons[0]).toMatch(/task "engine" step 0 \(device-write\): succeeded, expected EPERM or EFAULT/);
  });

  it('failing with another code than the one named is a failure naming the error', async () => {
    const other = loadScenario(text.replace('error: [EPERM, EFAULT]', 'error: ENOMEM'), { source: 'x' });
    const r = await runScenario(other, dmirror, { era: 'v6' });
    expect(r.verdict).toBe('fail');
    expect(r.reasons[0]).toMatch(/task "engine" step 0 \(device-write\): EPERM/);
  });

  it('an unknown code is rejected at load, naming the field', () => {
    expect(() => loadScenario(text.replace('error: [EPERM, EFAULT]', 'error: EWHAT'), { source: 'x.yaml' })).toThrow(/tasks\[0\]\.steps\[0\]\.error/);
  });
});
