import { afterEach, expect } from 'vitest';

/** The parts of core-mm's `Machine` the check reads. */
interface MachineLike {
  readonly report: { readonly violations: readonly { readonly kind: string }[] };
  readonly sched: { readonly running: boolean };
}

/** The parts of core-mm's `MemoryState` the check patches: its owner and `createProcess`. */
interface MemoryLike {
  readonly kernel: unknown;
  createProcess(name: string): unknown;
}

/**
 * Every test that builds memory ends with `verify` quiet: machines are noted when their
 * first process is created, and checked after the test. Left out: verify's own tests
 * (they corrupt state on purpose), and machines whose report shows a run stopped
 * mid-operation or an invariant already found.
 *
 * Each package's setup file passes in the core-mm its tests use: core-mm's own tests
 * build machines from its `src`, the other packages' from its `dist`, and patching the
 * other copy's `Memory` would silently check nothing. Hence no core-mm import here, and
 * structural types (src and dist classes are not assignable to each other).
 */
export function verifyAfterEach<M>(
  Memory: { readonly prototype: MemoryLike },
  verify: (machine: M, options: { record: false }) => readonly { readonly message: string }[],
): void {
  const machines = new Set<M & MachineLike>();
  const proto = Memory.prototype;
  const create = Object.getOwnPropertyDescriptor(proto, 'createProcess')!.value as MemoryLike['createProcess'];
  proto.createProcess = function (this: MemoryLike, name: string) {
    // A machine's memory is built with the machine as its kernel.
    machines.add(this.kernel as M & MachineLike);
    return create.call(this, name);
  };

  afterEach(() => {
    const checked = [...machines];
    machines.clear();
    if (expect.getState().testPath?.endsWith('verify.test.ts') === true) return;
    for (const m of checked) {
      if (m.report.violations.some((v) => v.kind === 'invariant' || v.kind === 'deadlock' || v.kind === 'livelock' || v.kind === 'uncontrolled-await' || v.kind === 'divergence' || v.kind === 'task-error')) continue;
      if (m.sched.running) continue;
      expect(verify(m, { record: false }).map((v) => v.message)).toEqual([]);
    }
  });
}
