import { ERAS, Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import {
  MmuNotifier,
  mmuNotifierGet,
  mmuNotifierPut,
  mmuNotifierRegister,
  mmuNotifierRegisterLocked,
  mmuNotifierSynchronize,
  mmuNotifierUnregister,
  type MmuNotifierOps,
} from '../src/index.js';
import { ANON, code, P, pfnAt, RW, setup, v } from './support/helpers.js';

describe('registration', () => {
  it('refuses bad registrations with EINVAL and changes nothing', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const sub = new MmuNotifier({ invalidateRangeStart: () => 0 }, 'kvm');
    // __mmu_notifier_register without the mmap write lock
    expect(await code(() => mmuNotifierRegisterLocked(t, sub, mm))).toBe('EINVAL');
    // both kinds of callbacks
    const both = new MmuNotifier({ invalidateRangeEnd: () => undefined, archInvalidateSecondaryTlbs: () => undefined }, 'both');
    expect(await code(() => mmuNotifierRegister(t, both, mm))).toBe('EINVAL');
    expect(mm.secondary).toBeNull();
    expect(mm.mmapLock.writeLocked).toBe(false);
    await v(mmuNotifierRegister(t, sub, mm));
    expect(await code(() => mmuNotifierRegister(t, sub, mm))).toBe('EINVAL');
    expect(sub.users).toBe(1);
    await v(m.mem.exit(t));
    const late = new MmuNotifier({}, 'late');
    expect(await code(() => mmuNotifierRegister(t, late, mm))).toBe('EINVAL');
    // __mmu_notifier_register's WARN_ON_ONCE for the arch callback with start/end
    expect(m.report.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([
      'notifier-warn: mmu_notifier_register: both implements both arch_invalidate_secondary_tlbs and invalidate_range_start/end (WARN_ON_ONCE)',
    ]);
  });

  it.each(['rfc-2008', 'v2.6.27'] as const)('%s: a subscription with arch_invalidate_secondary_tlbs is refused (no such callback before 3.19), with no kernel warning', async (era) => {
    const { m, t } = setup(era);
    for (const ops of [{ archInvalidateSecondaryTlbs: () => undefined }, { invalidateRangeStart: () => 0, archInvalidateSecondaryTlbs: () => undefined }]) {
      const sub = new MmuNotifier(ops, 'sva');
      await expect(Promise.resolve().then(() => mmuNotifierRegister(t, sub, t.mm!))).rejects.toThrow(/EINVAL: mmu_notifier_register: sva implements arch_invalidate_secondary_tlbs, which .* does not have/);
      expect(t.mm!.secondary).toBeNull();
    }
    expect(m.report.violations).toEqual([]);
  });

  it('waits for invalidation brackets in flight (mm_take_all_locks): no subscriber ever sees an end without its start', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const proc = m.mem.createProcess('app');
    const log: string[] = [];
    const slow = new MmuNotifier({ invalidateRangeStart: (task) => andSleep(m, task, 5000, () => (log.push('slow:start'), 0)) }, 'slow');
    const late = new MmuNotifier({ invalidateRangeStart: () => (log.push('late:start'), 0), invalidateRangeEnd: () => void log.push('late:end') }, 'late');
    let a = 0;
    proc.spawn('unmapper', async (task) => {
      await v(mmuNotifierRegister(task, slow, task.mm!));
      a = await v(m.mem.mmap(task, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.munmap(task, a, P));
      log.push('munmap done');
    });
    proc.spawn('registrar', async (task) => {
      await v(mmuNotifierRegister(task, late, task.mm!));
      log.push('registered');
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(log).toEqual(['slow:start', 'munmap done', 'registered']);
  });
});

/** Run `then` after sleeping `ns` (a Promise only if the sleep suspended). */
function andSleep<T>(m: Machine, task: Task, ns: number, then: () => T): T | Promise<T> {
  const s = m.sched.sleep(task, ns);
  return s instanceof Promise ? s.then(then) : then();
}

describe('unregister', () => {
  for (const era of ['rfc-2008', 'v6'] as const) {
    it(`${era}: racing an in-flight invalidation, it returns only after the callback ends`, async () => {
      const m = new Machine({ era, memory: { frames: 64 } });
      const proc = m.mem.createProcess('app');
      const log: string[] = [];
      const sub = new MmuNotifier(
        {
          invalidateRangeStart: (task) => (log.push('start begins'), andSleep(m, task, 5000, () => (log.push('start ends'), 0))),
          release: () => void log.push('release'),
        },
        'xpmem',
      );
      const ready = { a: 0 };
      proc.spawn('unmapper', async (task) => {
        await v(mmuNotifierRegister(task, sub, task.mm!));
        ready.a = await v(m.mem.mmap(task, { length: P, prot: RW, flags: ANON }));
        await v(m.mem.munmap(task, ready.a, P));
      });
      proc.spawn('closer', async (task) => {
        while (!log.includes('start begins')) await v(m.sched.yield(task));
        await v(mmuNotifierUnregister(task, sub, task.mm!));
        log.push('unregister returned');
      });
      const r = await m.sched.run();
      expect(r.violations).toEqual([]);
      expect(log).toEqual(['start begins', 'release', 'start ends', 'unregister returned']);
    });
  }

  it('v2.6.27: unregister waits with synchronize_rcu; release runs under RCU', async () => {
    const { m, t } = setup('v2.6.27');
    let rcu = -1;
    const sub = new MmuNotifier({ release: (task) => void (rcu = task.rcuDepth) }, 'kvm');
    await v(mmuNotifierRegister(t, sub, t.mm!));
    await v(mmuNotifierUnregister(t, sub, t.mm!));
    expect(rcu).toBe(1);
    expect(sub.listed).toBe(false);
    expect(m.report.violations).toEqual([]);
  });
});

describe('release at exit', () => {
  for (const era of ERAS) {
    it(`${era}: release runs before any page is freed, ${era === 'v6' ? 'still listed (since 3.10)' : 'already unlisted (as merged)'}`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const pfn = pfnAt(t, a);
      const gen = m.mem.frames.generation[pfn];
      const seen: { gen: number; listed: boolean }[] = [];
      const sub = new MmuNotifier({ release: (_t, s) => void seen.push({ gen: m.mem.frames.generation[pfn]!, listed: s.listed }) }, 'kvm');
      await v(mmuNotifierRegister(t, sub, t.mm!));
      await v(m.mem.exit(t));
      expect(seen).toEqual([{ gen, listed: era === 'v6' }]);
      expect(sub.listed).toBe(false);
    });
  }

  it('v6: release may run twice, from exit and from an unregister racing it', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const proc = m.mem.createProcess('app');
    let releases = 0;
    const sub = new MmuNotifier({ release: (task) => (releases++, m.sched.sleep(task, 1000)) }, 'kvm');
    const mm = proc.mm!;
    proc.spawn('exit', async (task) => {
      await v(mmuNotifierRegister(task, sub, mm));
      await v(m.mem.exit(task));
    });
    m.sched.spawn('closer', async (task) => {
      while (releases === 0) await v(m.sched.yield(task));
      await v(mmuNotifierUnregister(task, sub, mm));
    });
    const r = await m.sched.run();
    expect(r.violations).toEqual([]);
    expect(releases).toBe(2);
  });
});

describe('get / put (5.4+)', () => {
  it('one subscription per (ops, mm); the last put unlists it and frees it after a grace period', async () => {
    const { m, t } = setup('v6');
    const freed: string[] = [];
    const ops: MmuNotifierOps = {
      allocNotifier: () => new MmuNotifier(ops, 'sva'),
      freeNotifier: (s) => void freed.push(s.name),
      invalidateRangeStart: () => 0,
    };
    const a = await v(mmuNotifierGet(t, ops, t.mm!));
    const b = await v(mmuNotifierGet(t, ops, t.mm!));
    expect(a).toBe(b);
    expect(a.users).toBe(2);
    await v(mmuNotifierPut(t, a));
    expect(a.listed).toBe(true);
    await v(mmuNotifierPut(t, a));
    expect(a.listed).toBe(false);
    expect(freed).toEqual(['sva']);
    await v(mmuNotifierPut(t, a));
    expect(m.report.violations.map((x) => x.kind)).toEqual(['notifier-warn']);
  });

  it('put from ->release defers the free to mmu_notifier_synchronize', async () => {
    const { m, t } = setup('v6');
    const freed: string[] = [];
    const ops: MmuNotifierOps = {
      allocNotifier: () => new MmuNotifier(ops, 'sva'),
      freeNotifier: (s) => void freed.push(s.name),
      release: (task, s) => mmuNotifierPut(task, s),
    };
    await v(mmuNotifierGet(t, ops, t.mm!));
    const exiting = t;
    await v(m.mem.exit(exiting));
    expect(freed).toEqual([]);
    await v(mmuNotifierSynchronize(m.task('module_exit'), m));
    expect(freed).toEqual(['sva']);
  });

  it('2008 eras had no get/put', async () => {
    for (const era of ['rfc-2008', 'v2.6.27'] as const) {
      const { m, t } = setup(era);
      const ops: MmuNotifierOps = { allocNotifier: () => new MmuNotifier(ops) };
      expect(await code(() => mmuNotifierGet(t, ops, t.mm!))).toBe('EINVAL');
      const sub = new MmuNotifier(ops, 'plain');
      await v(mmuNotifierRegister(t, sub, t.mm!));
      expect(await code(() => mmuNotifierPut(t, sub))).toBe('EINVAL');
      expect(sub.listed).toBe(true);
      expect(await code(() => mmuNotifierSynchronize(t, m))).toBe('EINVAL');
    }
  });
});
