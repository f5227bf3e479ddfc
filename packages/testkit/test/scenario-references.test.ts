// checkReferences, the loader's checks a schema cannot make: each rule fires where it
// must (exactly that issue: its path and message) and stays quiet where it must not.
import { describe, expect, it } from 'vitest';
import { checkReferences } from '../src/scenario/check.js';
import type { Scenario, ScenarioStep, WindowElement } from '../src/scenario/schema.js';

type Loose = Record<string, unknown>;

/**
 * Process `app` maps `top` (3 pages) then `buf` (2 pages, right below `top`) and the
 * file mapping `doc`; process `other` maps `far`; driver `gpu` is app's. No tasks unless given.
 */
function scenario(over: Loose = {}): Scenario {
  return {
    name: 's',
    processes: [{ name: 'app' }, { name: 'other' }],
    mappings: [
      { name: 'top', process: 'app', pages: 3, prot: 'rw', kind: 'anon-private' },
      { name: 'buf', process: 'app', pages: 2, prot: 'rw', kind: 'anon-private' },
      { name: 'far', process: 'other', pages: 1, prot: 'rw', kind: 'anon-private' },
      { name: 'doc', process: 'app', pages: 1, prot: 'rw', kind: 'file-shared', file: 'f' },
    ],
    drivers: [{ name: 'gpu', process: 'app' }],
    tasks: [],
    ...over,
  } as unknown as Scenario;
}

/** Each issue as `path: message`. */
const issues = (s: Scenario): string[] => checkReferences(s).map((i) => `${i.path.join('.')}: ${i.message}`);
/** The issues of a CPU task of app (or of `process`) with these steps. */
const cpu = (steps: readonly Loose[], process = 'app'): string[] => issues(scenario({ tasks: [{ name: 't', process, steps }] }));
/** The issues of a device task of gpu with these steps. */
const device = (steps: readonly Loose[]): string[] => issues(scenario({ tasks: [{ name: 'd', driver: 'gpu', steps }] }));

describe('checkReferences: names', () => {
  it('a name used twice, in each list, is named at its second use', () => {
    const s = scenario();
    expect(issues(scenario({ processes: [...s.processes, { name: 'app' }] }))).toEqual(['processes.2.name: duplicate process name "app"']);
    expect(issues(scenario({ mappings: [...s.mappings, { ...s.mappings[2], name: 'buf' }] }))).toEqual(['mappings.4.name: duplicate mapping name "buf"']);
    expect(issues(scenario({ drivers: [...s.drivers, { name: 'gpu', process: 'other' }] }))).toEqual(['drivers.1.name: duplicate driver name "gpu"']);
    const task = { name: 't', process: 'app', steps: [] };
    expect(issues(scenario({ tasks: [task, { ...task, name: 'u' }, task] }))).toEqual(['tasks.2.name: duplicate task name "t"']);
    const w = { name: 'w', pattern: [{ kind: 'scan' }] };
    expect(issues(scenario({ windows: [w, { ...w, name: 'v' }, w] }))).toEqual(['windows.2.name: duplicate window name "w"']);
  });

  it("a mapping's and a driver's process must be one", () => {
    const s = scenario();
    expect(issues(scenario({ mappings: [...s.mappings, { ...s.mappings[2], name: 'x', process: 'ghost' }], drivers: [{ name: 'gpu', process: 'ghost' }] }))).toEqual([
      'mappings.4.process: unknown process "ghost"',
      'drivers.0.process: unknown process "ghost"',
    ]);
  });

  it('the reference scenario has no issue', () => {
    expect(issues(scenario())).toEqual([]);
  });
});

describe('checkReferences: mappings', () => {
  const one = (m: Loose): string[] => issues(scenario({ mappings: [{ name: 'm', process: 'app', pages: 2, prot: 'rw', kind: 'anon-private', ...m }] }));

  it('a file kind needs a file; an anonymous kind takes none', () => {
    expect(one({ kind: 'file-private' })).toEqual(['mappings.0.kind: a file-private mapping needs a file']);
    expect(one({ kind: 'file-private', file: 'f' })).toEqual([]);
    expect(one({ kind: 'anon-shared', file: 'f' })).toEqual(['mappings.0.file: an anon-shared mapping takes no file (got "f")']);
    expect(one({ kind: 'anon-shared' })).toEqual([]);
  });

  it("a fill whose last page's word passes 2^32 - 1; up to it is fine", () => {
    expect(one({ fill: 0xffff_fffe })).toEqual([]);
    expect(one({ fill: 0xffff_ffff })).toEqual([
      'mappings.0.fill: fill 4294967295 over 2 pages puts 4294967296 in the last page, beyond an unsigned 32-bit word (at most 4294967295)',
    ]);
    expect(one({ fill: 0 })).toEqual([]);
  });
});

describe('checkReferences: tasks', () => {
  it('a task needs exactly one of process and driver', () => {
    expect(issues(scenario({ tasks: [{ name: 't', steps: [] }] }))).toEqual(['tasks.0: task "t" needs exactly one of process (a CPU task) and driver (a device task)']);
    expect(issues(scenario({ tasks: [{ name: 't', process: 'app', driver: 'gpu', steps: [{ op: 'device-read', at: 'far[0]' }] }] }))).toEqual([
      'tasks.0: task "t" needs exactly one of process (a CPU task) and driver (a device task)',
    ]);
  });

  it("an unknown process or driver; then no owner to check the task's addresses against", () => {
    expect(cpu([{ op: 'read', at: 'far[0]' }], 'ghost')).toEqual(['tasks.0.process: unknown process "ghost"']);
    expect(issues(scenario({ tasks: [{ name: 'd', driver: 'npu', steps: [{ op: 'device-read', at: 'far[0]' }] }] }))).toEqual(['tasks.0.driver: unknown driver "npu"']);
  });

  it("a step's address is in its task's process: a device task's is its driver's", () => {
    expect(cpu([{ op: 'read', at: 'far[0]' }])).toEqual(['tasks.0.steps.0.at: "far[0]" is in process "other", not this task\'s "app"']);
    expect(cpu([{ op: 'read', at: 'far[0]' }], 'other')).toEqual([]);
    expect(device([{ op: 'device-read', at: 'far[0]' }])).toEqual(['tasks.0.steps.0.at: "far[0]" is in process "other", not this task\'s "app"']);
    expect(device([{ op: 'device-read', at: 'buf[1]' }])).toEqual([]);
  });

  it('reclaim and age scan any process; other steps only their own', () => {
    expect(cpu([{ op: 'reclaim', at: 'far[0]' }, { op: 'age', at: 'far[0]' }])).toEqual([]);
    expect(cpu([{ op: 'clear-young', at: 'far[0]', pages: 1 }])).toEqual(['tasks.0.steps.0.at: "far[0]" is in process "other", not this task\'s "app"']);
  });

  it('device steps only in device tasks, CPU steps only in CPU tasks; sleep and yield in both', () => {
    expect(cpu([{ op: 'device-write', at: 'buf[0]', value: 1 }, { op: 'detach' }, { op: 'sleep', ns: 1 }, { op: 'yield' }])).toEqual([
      'tasks.0.steps.0.op: "device-write" is a device step; task "t" is a CPU task',
      'tasks.0.steps.1.op: "detach" is a device step; task "t" is a CPU task',
    ]);
    expect(device([{ op: 'write', at: 'buf[0]', value: 1 }, { op: 'exit' }, { op: 'sleep', ns: 1 }, { op: 'yield' }, { op: 'device-prefetch', at: 'buf[0]', pages: 2 }])).toEqual([
      'tasks.0.steps.0.op: "write" is a CPU step; task "d" is a device task',
      'tasks.0.steps.1.op: "exit" is a CPU step; task "d" is a device task',
    ]);
  });
});

describe('checkReferences: addresses', () => {
  it('an unknown mapping; a page beyond the mapping (its last page is fine)', () => {
    expect(cpu([{ op: 'read', at: 'ghost[0]' }])).toEqual(['tasks.0.steps.0.at: unknown mapping "ghost" in address "ghost[0]"']);
    expect(cpu([{ op: 'read', at: 'buf[1]' }])).toEqual([]);
    expect(cpu([{ op: 'read', at: 'buf[2]' }])).toEqual(['tasks.0.steps.0.at: page 2 of "buf[2]" is beyond mapping "buf" (2 pages)']);
  });

  it('a range of pages must fit in the mapping, ending at its last page at most', () => {
    expect(cpu([{ op: 'mprotect', at: 'buf[0]', pages: 2, prot: 'r' }])).toEqual([]);
    expect(cpu([{ op: 'mprotect', at: 'buf[1]', pages: 2, prot: 'r' }])).toEqual(['tasks.0.steps.0.at: "buf[1]" + 2 pages runs beyond mapping "buf" (2 pages)']);
  });

  it("a munmap may run on into the process's mappings built right above, as far as they go", () => {
    // buf (2 pages) lies right below top (3 pages): 5 pages from buf[0].
    expect(cpu([{ op: 'munmap', at: 'buf[0]', pages: 5 }])).toEqual([]);
    expect(cpu([{ op: 'munmap', at: 'buf[1]', pages: 5 }])).toEqual(['tasks.0.steps.0.at: "buf[1]" + 5 pages runs beyond mapping "buf" (2 pages)']);
    // top is the first: nothing above it; far is other's only mapping.
    expect(cpu([{ op: 'munmap', at: 'top[2]', pages: 2 }])).toEqual(['tasks.0.steps.0.at: "top[2]" + 2 pages runs beyond mapping "top" (3 pages)']);
    expect(cpu([{ op: 'munmap', at: 'far[0]', pages: 2 }], 'other')).toEqual(['tasks.0.steps.0.at: "far[0]" + 2 pages runs beyond mapping "far" (1 pages)']);
    // Other steps never spill.
    expect(cpu([{ op: 'madvise-dontneed', at: 'buf[0]', pages: 3 }])).toEqual(['tasks.0.steps.0.at: "buf[0]" + 3 pages runs beyond mapping "buf" (2 pages)']);
  });

  it("mremap's target holds the new size (or the old one), in the task's process, and never spills", () => {
    expect(cpu([{ op: 'mremap', at: 'top[0]', pages: 2, to: 'buf[0]' }])).toEqual([]);
    expect(cpu([{ op: 'mremap', at: 'top[0]', pages: 3, to: 'buf[0]' }])).toEqual(['tasks.0.steps.0.to: "buf[0]" + 3 pages runs beyond mapping "buf" (2 pages)']);
    expect(cpu([{ op: 'mremap', at: 'top[0]', pages: 1, newPages: 3, to: 'buf[0]' }])).toEqual(['tasks.0.steps.0.to: "buf[0]" + 3 pages runs beyond mapping "buf" (2 pages)']);
    expect(cpu([{ op: 'mremap', at: 'top[0]', pages: 3, newPages: 1, to: 'buf[1]' }])).toEqual([]);
    expect(cpu([{ op: 'mremap', at: 'top[0]', pages: 1, to: 'far[0]' }])).toEqual(['tasks.0.steps.0.to: "far[0]" is in process "other", not this task\'s "app"']);
  });
});

describe('checkReferences: writeback, oom-kill, fork', () => {
  it('writeback: a known mapping, with a file, of the task\'s process', () => {
    expect(cpu([{ op: 'writeback', mapping: 'doc' }])).toEqual([]);
    expect(cpu([{ op: 'writeback', mapping: 'ghost' }])).toEqual(['tasks.0.steps.0.mapping: unknown mapping "ghost"']);
    expect(cpu([{ op: 'writeback', mapping: 'buf' }])).toEqual(['tasks.0.steps.0.mapping: mapping "buf" has no file to write back']);
    expect(cpu([{ op: 'writeback', mapping: 'doc' }], 'other')).toEqual(['tasks.0.steps.0.mapping: mapping "doc" is in process "app", not "other"']);
    // A task of an unknown process has no process to hold the mapping against.
    expect(cpu([{ op: 'writeback', mapping: 'doc' }], 'ghost')).toEqual(['tasks.0.process: unknown process "ghost"']);
  });

  it('oom-kill: a victim that is a process or a forked child, never the task\'s own; none is fine', () => {
    const forkThenKill = (victim: string): string[] =>
      issues(scenario({ tasks: [{ name: 'p', process: 'other', steps: [{ op: 'fork', child: 'kid' }] }, { name: 't', process: 'app', steps: [{ op: 'oom-kill', victim }] }] }));
    expect(forkThenKill('kid')).toEqual([]);
    expect(forkThenKill('other')).toEqual([]);
    expect(forkThenKill('ghost')).toEqual(['tasks.1.steps.0.victim: unknown process "ghost"']);
    expect(forkThenKill('app')).toEqual(['tasks.1.steps.0.victim: "app" is the task\'s own process, which the OOM killer never picks here']);
    expect(cpu([{ op: 'oom-kill' }])).toEqual([]);
  });

  it('fork: the child is a new name', () => {
    expect(cpu([{ op: 'fork', child: 'other' }])).toEqual(['tasks.0.steps.0.child: child "other" is already a process name']);
    expect(cpu([{ op: 'fork', child: 'kid' }])).toEqual([]);
  });
});

describe('checkReferences: per-era expectations', () => {
  it("an era expected must be one of the scenario's; with no eras listed, any", () => {
    const expect_ = { eras: { v6: { violations: [] }, 'rfc-2008': { violations: [] } } };
    expect(issues(scenario({ eras: ['v6', 'v2.6.27'], expect: expect_ }))).toEqual(['expect.eras.rfc-2008: era "rfc-2008" is not one of the scenario\'s (v6, v2.6.27)']);
    expect(issues(scenario({ expect: expect_ }))).toEqual([]);
    expect(issues(scenario({ eras: ['v6'], expect: {} }))).toEqual([]);
  });
});

describe('checkReferences: window elements and awaits', () => {
  const windowIssues = (e: Loose): string[] => issues(scenario({ windows: [{ name: 'w', pattern: [{ kind: 'scan' }, e] }] }));

  it('each kind: its driver known, its address inside a mapping, of any process', () => {
    expect(windowIssues({ kind: 'access', device: 'npu', at: 'buf[2]' })).toEqual([
      'windows.0.pattern.1.device: unknown driver "npu"',
      'windows.0.pattern.1.at: page 2 of "buf[2]" is beyond mapping "buf" (2 pages)',
    ]);
    expect(windowIssues({ kind: 'lifecycle', driver: 'npu' })).toEqual(['windows.0.pattern.1.driver: unknown driver "npu"']);
    expect(windowIssues({ kind: 'callback', driver: 'npu', covers: 'ghost[0]' })).toEqual([
      'windows.0.pattern.1.driver: unknown driver "npu"',
      'windows.0.pattern.1.covers: unknown mapping "ghost" in address "ghost[0]"',
    ]);
    expect(windowIssues({ kind: 'scan', at: 'top[3]' })).toEqual(['windows.0.pattern.1.at: page 3 of "top[3]" is beyond mapping "top" (3 pages)']);
    for (const e of [
      { kind: 'access', device: 'gpu', at: 'far[0]' },
      { kind: 'lifecycle', driver: 'gpu' },
      { kind: 'lifecycle' },
      { kind: 'callback', driver: 'gpu', covers: 'far[0]' },
      { kind: 'scan', at: 'far[0]' },
      { kind: 'access' },
      { kind: 'callback' },
      { kind: 'scan' },
    ]) {
      expect(windowIssues(e), JSON.stringify(e)).toEqual([]);
    }
  });

  it("a step's await is checked as a window element, at the step's path", () => {
    const awaiting = (e: WindowElement): ScenarioStep => ({ op: 'yield', await: e });
    expect(cpu([{ op: 'yield' }, awaiting({ kind: 'callback', driver: 'npu' })])).toEqual(['tasks.0.steps.1.await.driver: unknown driver "npu"']);
    expect(cpu([awaiting({ kind: 'access', at: 'far[0]' })])).toEqual([]);
  });

  it('the step order is checked too', () => {
    expect(cpu([{ op: 'yield', after: 'ghost' }]).map((x) => x.split(':')[0])).toEqual(['tasks.0.steps.0.after']);
  });
});
