import { afterEach, expect } from 'vitest';
import { Memory, verify, type Machine } from '@secondary-mmu/core-mm';

/**
 * Every test that builds memory ends with `verify` quiet: machines are noted when their
 * first process is created, and checked after the test. Left out: verify's own tests
 * (they corrupt state on purpose), and machines whose report shows a run stopped
 * mid-operation or an invariant already found.
 */
const machines = new Set<Machine>();
const proto = Memory.prototype;
const create = Object.getOwnPropertyDescriptor(proto, 'createProcess')!.value as (this: Memory, name: string) => ReturnType<Memory['createProcess']>;
proto.createProcess = function (this: Memory, name: string) {
  machines.add(this.machine);
  return create.call(this, name);
};

afterEach(() => {
  const checked = [...machines];
  machines.clear();
  if (expect.getState().testPath?.endsWith('verify.test.ts') === true) return;
  for (const m of checked) {
    if (m.report.violations.some((v) => v.kind === 'invariant' || v.kind === 'deadlock' || v.kind === 'livelock' || v.kind === 'uncontrolled-await' || v.kind === 'task-error')) continue;
    if (m.sched.running) continue;
    expect(verify(m, { record: false }).map((v) => v.message)).toEqual([]);
  }
});
