import { ERAS, getUserPages, isSmmuError, Machine, MAP, PAGE_SIZE, PROT, putPage, SmmuError, SpinLock, TASK_SIZE, walkPageTable, type Mm, type Process, type Task } from '@secondary-mmu/core-mm';
import {
  DeviceMmu,
  MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  MmuNotifier,
  mmuNotifierRegister,
  mmuNotifierUnregister,
  type DeviceTranslation,
} from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import { defineDriver, DriverSpecError, MirrorDriver, NO_CAPABILITIES, type DriverSpec, type DriverSpecProblem } from '../src/index.js';
import { code, v, violations } from './support/classic-mirror-helpers.js';

const attach: DriverSpec['attach'] = () => {
  throw new Error('not attached in these tests');
};

describe('defineDriver: defaults', () => {
  it('fills every capability with false and every era when left out; attach calls the spec\'s', () => {
    const d = defineDriver({ name: 'mine', attach });
    expect(d.name).toBe('mine');
    expect(d.capabilities).toEqual(NO_CAPABILITIES);
    expect([...d.eras]).toEqual([...ERAS]);
    const m = new Machine({ era: 'v6', memory: { frames: 8 } });
    const t = m.mem.createProcess('app').task('cpu0');
    expect(() => d.attach(t, m, t.mm!)).toThrow('not attached in these tests');
  });

  it('merges declared capabilities over NO_CAPABILITIES and keeps the eras given, in order', () => {
    const d = defineDriver({ name: 'mine', attach, capabilities: { mayBlock: true, implementsAging: true }, eras: ['v6', 'rfc-2008'] });
    expect(d.capabilities).toEqual({ ...NO_CAPABILITIES, mayBlock: true, implementsAging: true });
    expect([...d.eras]).toEqual(['v6', 'rfc-2008']);
  });

  it('returns a frozen factory with frozen copies of capabilities and eras', () => {
    const capabilities = { holdsPageRefs: true };
    const eras = ['v6'] as const;
    const d = defineDriver({ name: 'mine', attach, capabilities, eras });
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.capabilities)).toBe(true);
    expect(Object.isFrozen(d.eras)).toBe(true);
    expect(d.capabilities).not.toBe(capabilities);
    expect(d.eras).not.toBe(eras);
    // The defaults are copies too: freezing them leaves the shared constants alone.
    const plain = defineDriver({ name: 'plain', attach });
    expect(plain.capabilities).not.toBe(NO_CAPABILITIES);
    expect(plain.eras).not.toBe(ERAS);
    expect(Object.isFrozen(ERAS)).toBe(false);
    expect(() => ((d as { name: string }).name = 'other')).toThrow(TypeError);
  });
});

describe('defineDriver: bad input', () => {
  const cases: [string, unknown, DriverSpecProblem, string, string][] = [
    // [what, spec, problem, path, text the message must contain]
    ['no spec', null, 'not-an-object', '', 'got null'],
    ['an array spec', [], 'not-an-object', '', 'got []'],
    ['an empty name', { name: '', attach }, 'bad-name', 'name', '""'],
    ['a name of spaces', { name: '  tiny ', attach }, 'bad-name', 'name', '"  tiny "'],
    ['a name with a newline', { name: 'ti\nny', attach }, 'bad-name', 'name', '"ti\\nny"'],
    ['a name that is not a string', { name: 42, attach }, 'bad-name', 'name', '42'],
    ['a misspelt field', { name: 'mine', attach, capabilites: {} }, 'unknown-field', 'capabilites', '"capabilites"'],
    ['no attach', { name: 'mine' }, 'bad-attach', 'attach', 'got undefined'],
    ['an attach that is not a function', { name: 'mine', attach: 'open' }, 'bad-attach', 'attach', '"open"'],
    ['capabilities that are not an object', { name: 'mine', attach, capabilities: true }, 'bad-capabilities', 'capabilities', 'got true'],
    ['an unknown capability', { name: 'mine', attach, capabilities: { mayBlok: true } }, 'unknown-capability', 'capabilities.mayBlok', '"mayBlok"'],
    ['a capability that is not a boolean', { name: 'mine', attach, capabilities: { mayBlock: 'yes' } }, 'bad-capability', 'capabilities.mayBlock', '"yes"'],
    ['eras that are not an array', { name: 'mine', attach, eras: 'v6' }, 'bad-eras', 'eras', '"v6"'],
    ['no eras', { name: 'mine', attach, eras: [] }, 'no-eras', 'eras', 'is empty'],
    ['an unknown era', { name: 'mine', attach, eras: ['v6', 'v5.10'] }, 'unknown-era', 'eras[1]', '"v5.10"'],
    ['a duplicate era', { name: 'mine', attach, eras: ['v6', 'rfc-2008', 'v6'] }, 'duplicate-era', 'eras[2]', '"v6" is listed twice'],
  ];

  it.each(cases)('%s: EINVAL, naming the field and the value', (_what, spec, problem, path, text) => {
    let error: unknown;
    try {
      defineDriver(spec as DriverSpec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DriverSpecError);
    expect(isSmmuError(error, 'EINVAL')).toBe(true);
    const e = error as DriverSpecError;
    expect(e.problem).toBe(problem);
    expect(e.path).toBe(path);
    expect(e.message).toContain(text);
    if (path !== '') expect(e.message).toContain(`${path}: `);
  });

  it('names the driver once its name is known', () => {
    expect(() => defineDriver({ name: 'mine', attach, eras: ['v7' as 'v6'] })).toThrow('EINVAL: defineDriver "mine": eras[0]: "v7" is not an era (expected rfc-2008, v2.6.27, v6)');
  });
});

const P = PAGE_SIZE;

/**
 * The smallest `MirrorDriver`: a notifier whose start zaps, and a fault that maps what
 * get_user_pages finds. No seq/in-progress check: these tests' schedules switch tasks
 * only at device accesses, so no invalidation runs mid-fault.
 */
class Probe extends MirrorDriver {
  readonly notifier: MmuNotifier;
  readonly faults: DeviceTranslation[] = [];
  readonly steps: string[] = [];

  constructor(machine: Machine, mm: Mm) {
    super(new DeviceMmu(machine, { name: 'probe', driverClass: 'no-references' }), mm);
    this.notifier = new MmuNotifier(
      {
        invalidateRangeStart: (_task, _sub, range) => (this.device.dropRange(this.mm, range.start, range.end), 0),
        release: () => void this.device.dropAll(this.mm),
      },
      'probe',
    );
    this.device.answerFor(this.notifier);
  }

  protected async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % P);
    const found = this.device.lookup(this.mm, page);
    if (found !== undefined && (!write || found.writable)) return found;
    const mem = this.device.machine.mem;
    await this.mm.mmapLock.downRead(task);
    try {
      const [pfn] = await getUserPages(mem, task, this.mm, page, 1, { write });
      putPage(mem, task, pfn!);
      const h = this.device.establish(task, this.mm, page, pfn!, { writable: write });
      this.faults.push(h);
      return h;
    } finally {
      await this.mm.mmapLock.upRead(task);
    }
  }

  protected unregister(task: Task): void | Promise<void> {
    this.steps.push(`unregister with ${this.device.translations().length} translation(s)`);
    return mmuNotifierUnregister(task, this.notifier, this.mm);
  }

  protected override dropTranslations(task: Task): void | Promise<void> {
    this.steps.push('drop');
    return super.dropTranslations(task);
  }
}

/**
 * A machine whose only preemption points are device accesses, steered so that the
 * first time the device task waits at one, `other` runs to its end: a deterministic
 * "translation lost while the access waited".
 */
async function setup(): Promise<{ m: Machine; proc: Process; t: Task; a: number; probe: Probe }> {
  const m = new Machine({ era: 'v6', memory: { frames: 64 }, schedule: { strategy: 'random', preempt: ['device'] } });
  const proc = m.mem.createProcess('app');
  const t = proc.task('cpu0');
  const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
  await v(m.mem.write(t, a, 100));
  const probe = new Probe(m, t.mm!);
  await v(mmuNotifierRegister(t, probe.notifier, t.mm!));
  m.sched.steer((runnable, current) => (current?.name === 'device' ? runnable.find((x) => x.name === 'other') : undefined) ?? runnable.find((x) => x.name === 'device') ?? runnable[0]!);
  return { m, proc, t, a, probe };
}

describe('MirrorDriver: the access retry', () => {
  it('faults again when an invalidation zaps the translation while a read waits, and reads the new page', async () => {
    const { m, proc, t, a, probe } = await setup();
    let value: number | undefined;
    m.sched.spawn('device', async (task) => {
      value = await probe.read(task, a);
    });
    proc.spawn('other', (task) => m.mem.madvise(task, a, P, 'dontneed'));
    const r = await m.sched.run();
    expect(violations(m)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(probe.faults).toHaveLength(2); // without the retry the read rejects with EFAULT
    expect(probe.faults[0]!.live).toBe(false);
    expect(value).toBe(0); // the zero page MADV_DONTNEED left behind, not the freed 100
    await probe.detach(t);
  });

  it('faults a writable one again when the translation is write-protected while a write waits', async () => {
    const { m, proc, t, a, probe } = await setup();
    m.sched.spawn('device', (task) => probe.write(task, a, 7));
    proc.spawn('other', () => probe.device.downgrade(probe.faults[0]!));
    const r = await m.sched.run();
    expect(violations(m)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(probe.faults).toHaveLength(2);
    expect(await v(m.mem.read(t, a))).toBe(7);
    await probe.detach(t);
  });

  it('does not fault again when nothing was lost', async () => {
    const { t, a, probe } = await setup();
    expect(await probe.read(t, a)).toBe(100);
    await probe.write(t, a, 5);
    expect(await probe.read(t, a)).toBe(5);
    expect(probe.faults).toHaveLength(2); // one read-only, one writable
    await probe.detach(t);
  });
});

/** A `MirrorDriver` whose fault is the given function (no notifier). */
class Scripted extends MirrorDriver {
  calls = 0;
  protected override readonly maxFaultAttempts: number;

  constructor(
    machine: Machine,
    mm: Mm,
    private readonly fault: (self: Scripted, address: number, write: boolean, task: Task) => DeviceTranslation | Promise<DeviceTranslation>,
    attempts?: number,
  ) {
    super(new DeviceMmu(machine, { name: 'scripted', driverClass: 'no-references' }), mm);
    this.maxFaultAttempts = attempts ?? 1000;
  }

  /** What `unregister` does (default: nothing); counted in `unregisters`. */
  onUnregister: (task: Task) => void | Promise<void> = () => {};
  unregisters = 0;

  protected translate(task: Task, address: number, write: boolean): DeviceTranslation | Promise<DeviceTranslation> {
    this.calls++;
    return this.fault(this, address, write, task);
  }

  protected unregister(task: Task): void | Promise<void> {
    this.unregisters++;
    return this.onUnregister(task);
  }
}

describe('MirrorDriver: errors', () => {
  const world = async (): Promise<{ m: Machine; t: Task; a: number }> => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    return { m, t, a };
  };

  it('an error thrown or rejected by translate propagates as it is, with no second fault', async () => {
    const { m, t, a } = await world();
    const efault = new SmmuError('EFAULT', 'scripted: nothing there');
    const sync = new Scripted(m, t.mm!, () => {
      throw efault;
    });
    await expect(sync.read(t, a)).rejects.toBe(efault);
    expect(sync.calls).toBe(1);
    const bug = new TypeError('driver bug');
    const rejected = new Scripted(m, t.mm!, () => Promise.reject(bug));
    await expect(rejected.write(t, a, 1)).rejects.toBe(bug);
    expect(rejected.calls).toBe(1);
  });

  it('a translation translate returns unusable is EINVAL naming translate and the address, with no second fault', async () => {
    const { m, t, a } = await world();
    await v(m.mem.write(t, a, 3));
    const pfn = walkPageTable(t.mm!, a)!.pfn;
    const other = new DeviceMmu(m, { name: 'other', driverClass: 'no-references' });
    const cases: [string, boolean, (self: Scripted) => DeviceTranslation, string][] = [
      // [what, write, the fault, text the message must contain]
      ['already dropped', false, (self) => {
        const h = self.device.establish(t, self.mm, a, pfn);
        self.device.drop(h);
        return h;
      }, 'already dropped'],
      ['read-only for a write', true, (self) => self.device.establish(t, self.mm, a, pfn), 'translate returned read-only scripted at'],
      ['another device\'s', false, () => other.establish(t, t.mm!, a, pfn), 'not a translation of this device'],
      ['another page\'s', false, (self) => self.device.establish(t, self.mm, a + P, pfn), `not one of the page 0x${a.toString(16)}`],
      ['not a translation', false, () => undefined as unknown as DeviceTranslation, 'translate returned undefined'],
    ];
    for (const [what, write, fault, text] of cases) {
      const d = new Scripted(m, t.mm!, fault, 5);
      const e = await (write ? d.write(t, a + 8, 4) : d.read(t, a + 8)).catch((x: unknown) => x);
      expect(isSmmuError(e, 'EINVAL'), what).toBe(true);
      expect((e as Error).message, what).toContain(`scripted: ${write ? 'write' : 'read'} at 0x${(a + 8).toString(16)}: translate returned`);
      expect((e as Error).message, what).toContain(text);
      expect(d.calls, what).toBe(1); // no retry: the old loop retried a dead handle up to maxFaultAttempts times
      d.device.dropAll();
      other.dropAll();
    }
    expect(await v(m.mem.read(t, a))).toBe(3);
  });

  it('gives up with EAGAIN after maxFaultAttempts translations lost while the access waited', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 }, schedule: { strategy: 'random', preempt: ['device'] } });
    const proc = m.mem.createProcess('app');
    const t = proc.task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.write(t, a, 3));
    const pfn = walkPageTable(t.mm!, a)!.pfn;
    const d = new Scripted(m, t.mm!, (self) => self.device.establish(t, self.mm, a, pfn), 3);
    let error: unknown;
    m.sched.spawn('device', async (task) => {
      error = await d.read(task, a).catch((x: unknown) => x);
    });
    // Whenever the device waits at an access, a zapper drops its translations.
    for (let i = 0; i < 4; i++) m.sched.spawn(`zap${i}`, () => void d.device.dropAll());
    m.sched.steer((runnable, current) => (current?.name === 'device' ? runnable.find((x) => x.name.startsWith('zap')) : undefined) ?? runnable.find((x) => x.name === 'device') ?? runnable[0]!);
    await m.sched.run();
    expect(isSmmuError(error, 'EAGAIN')).toBe(true);
    expect((error as Error).message).toContain(`scripted: read at 0x${a.toString(16)} lost its translation 3 times in a row`);
    expect(d.calls).toBe(3);
  });
});

describe('MirrorDriver: detach', () => {
  it('drops every translation, then unregisters; once; later accesses are EFAULT without a fault', async () => {
    const { t, a, probe } = await setup();
    await probe.write(t, a, 9);
    expect(probe.device.translations()).toHaveLength(1);
    expect(probe.detached).toBe(false);
    await probe.detach(t);
    expect(probe.detached).toBe(true);
    expect(probe.notifier.listed).toBe(false);
    expect(probe.steps).toEqual(['drop', 'unregister with 0 translation(s)']);
    expect(probe.device.translations()).toEqual([]);
    await probe.detach(t);
    expect(probe.steps).toHaveLength(2);
    const faults = probe.faults.length;
    expect(await code(() => probe.read(t, a))).toBe('EFAULT');
    expect(await code(() => probe.write(t, a, 1))).toBe('EFAULT');
    expect(probe.faults).toHaveLength(faults);
  });
});

/**
 * The smallest interval-notifier `MirrorDriver`, shaped like dmirror: `invalidate`
 * publishes the sequence and zaps under the lock; `translate` installs under the lock
 * unless detached or an invalidation ran meanwhile; `unregister` is
 * `mmuIntervalNotifierRemove`, which never calls `->release`.
 */
class Ranged extends MirrorDriver {
  readonly notifier: MmuIntervalNotifier;
  readonly steps: string[] = [];
  private readonly lock: SpinLock;

  constructor(machine: Machine, mm: Mm) {
    super(new DeviceMmu(machine, { name: 'ranged', driverClass: 'no-references' }), mm);
    this.lock = new SpinLock(machine, 'ranged->lock');
    this.notifier = new MmuIntervalNotifier(
      {
        invalidate: async (task, isub, range, curSeq) => {
          await this.lock.lock(task);
          mmuIntervalSetSeq(isub, curSeq);
          this.device.dropRange(this.mm, range.start, range.end);
          await this.lock.unlock(task);
          return true;
        },
      },
      'ranged',
    );
    this.device.answerFor(this.notifier);
  }

  protected async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % P);
    const mem = this.device.machine.mem;
    for (;;) {
      const found = this.device.lookup(this.mm, page);
      if (found !== undefined && (!write || found.writable)) return found;
      const seq = await mmuIntervalReadBegin(task, this.notifier);
      await this.mm.mmapLock.downRead(task);
      let pfn: number;
      try {
        [pfn] = (await getUserPages(mem, task, this.mm, page, 1, { write })) as [number];
        putPage(mem, task, pfn);
      } finally {
        await this.mm.mmapLock.upRead(task);
      }
      await this.lock.lock(task);
      try {
        if (this.detached) throw new SmmuError('EFAULT', 'ranged: detached');
        if (!mmuIntervalReadRetry(this.notifier, seq)) this.device.establish(task, this.mm, page, pfn, { writable: write });
      } finally {
        await this.lock.unlock(task);
      }
    }
  }

  protected override async dropTranslations(task: Task): Promise<void> {
    await this.lock.lock(task);
    this.steps.push(`drop ${this.device.dropAll(this.mm)}`);
    await this.lock.unlock(task);
  }

  protected unregister(task: Task): void | Promise<void> {
    this.steps.push(`remove with ${this.device.translations().length} translation(s)`);
    return mmuIntervalNotifierRemove(task, this.notifier);
  }
}

describe('MirrorDriver: detach of an interval-notifier driver', () => {
  it('drops the translations before the remove: no leak when remove returns (which calls no ->release)', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.write(t, a, 100));
    const d = new Ranged(m, t.mm!);
    await v(mmuIntervalNotifierInsert(t, d.notifier, t.mm!, 0, TASK_SIZE));
    expect(await d.read(t, a)).toBe(100);
    await d.write(t, a + P, 5);
    expect(d.device.translations()).toHaveLength(2);
    await d.detach(t);
    expect(violations(m)).toEqual([]); // was: "leak: … still holds 2 translation(s) … after ranged's unregister returned"
    expect(d.steps).toEqual(['drop 2', 'remove with 0 translation(s)']);
    expect(d.notifier.state).toBe('removed');
    expect(d.device.translations()).toEqual([]);
    expect(await code(() => d.read(t, a))).toBe('EFAULT');
  });
});

describe('MirrorDriver: an access in flight during detach', () => {
  it('a translation translate returns after detach began is dropped, and the access is EFAULT', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.write(t, a, 3));
    const pfn = walkPageTable(t.mm!, a)!.pfn;
    // A slow fault that does not check `detached`: it installs at t = 1000 ns.
    const d = new Scripted(m, t.mm!, async (self, _address, _write, task) => {
      await m.sched.sleep(task, 1000);
      return self.device.establish(task, self.mm, a, pfn);
    });
    let result: unknown;
    let detachedAt = -1;
    m.sched.spawn('device', async (task) => {
      result = await d.read(task, a).then(
        (value) => ({ value, at: m.clock.now }),
        (e: unknown) => e,
      );
    });
    m.sched.spawn('closer', async (task) => {
      await m.sched.sleep(task, 10);
      await d.detach(task);
      detachedAt = m.clock.now;
    });
    const r = await m.sched.run();
    expect(r.ok).toBe(true);
    expect(detachedAt).toBe(10);
    expect(isSmmuError(result, 'EFAULT')).toBe(true); // was: { value: 3, at: 1000 }
    expect((result as Error).message).toContain('after detach');
    expect(d.calls).toBe(1);
    expect(d.device.translations()).toEqual([]); // was: the late translation, live after detach
  });
});

describe('MirrorDriver: a detach that fails', () => {
  const world = async (): Promise<{ m: Machine; t: Task; a: number; d: Scripted }> => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.write(t, a, 3));
    const pfn = walkPageTable(t.mm!, a)!.pfn;
    const d = new Scripted(m, t.mm!, (self) => self.device.lookup(self.mm, a) ?? self.device.establish(t, self.mm, a, pfn));
    return { m, t, a, d };
  };

  it('rejects with unregister\'s error and leaves the instance open, so detach can be retried', async () => {
    const { t, a, d } = await world();
    expect(await d.read(t, a)).toBe(3);
    const busy = new SmmuError('EBUSY', 'scripted: unregister failed');
    d.onUnregister = () => {
      throw busy;
    };
    await expect(d.detach(t)).rejects.toBe(busy);
    expect(d.detached).toBe(false); // was: true, and a second detach did nothing
    expect(d.device.translations()).toEqual([]); // dropped before the unregister
    expect(await d.read(t, a)).toBe(3); // open: the device faults again
    expect(d.calls).toBe(2);
    d.onUnregister = () => {};
    await d.detach(t);
    expect(d.unregisters).toBe(2);
    expect(d.detached).toBe(true);
    expect(d.device.translations()).toEqual([]);
    await d.detach(t);
    expect(d.unregisters).toBe(2);
  });

  it('a detach while another is in flight waits for its outcome and, when that one failed, detaches itself', async () => {
    const { m, t, a, d } = await world();
    expect(await d.read(t, a)).toBe(3);
    // The first unregister sleeps, then fails; the second caller waits for it, then detaches itself.
    d.onUnregister = async (task) => {
      await m.sched.sleep(task, 50);
      if (d.unregisters === 1) throw new SmmuError('EBUSY', 'scripted: busy');
    };
    const log: string[] = [];
    m.sched.spawn('first', async (task) => {
      await d.detach(task).then(
        () => log.push(`first ok at ${m.clock.now}`),
        (e: unknown) => log.push(`first ${(e as SmmuError).code} at ${m.clock.now}`),
      );
    });
    m.sched.spawn('second', async (task) => {
      await m.sched.sleep(task, 10);
      expect(d.detached).toBe(true);
      await d.detach(task);
      log.push(`second ok at ${m.clock.now}`);
    });
    const r = await m.sched.run();
    expect(r.ok).toBe(true);
    expect(log).toEqual(['first EBUSY at 50', 'second ok at 100']);
    expect(d.unregisters).toBe(2);
    expect(d.detached).toBe(true);
  });
});
