/**
 * v2.6.27 walked its notifier list under one `rcu_read_lock()` (held by core-mm's call
 * site around every callback): a callback runs at RCU depth 1, and a sleep there names
 * that one read side — not two, as when the notifier core took its own on top.
 */
import { Machine, Mutex, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { MmuNotifier, mmuNotifierRegister } from '../src/index.js';
import { ANON, P, RW, v } from './support/helpers.js';

describe('v2.6.27: callbacks run inside one RCU read side', () => {
  it('invalidate_range_start sees rcu_read_lock once', async () => {
    const m = new Machine({ era: 'v2.6.27', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const seen = new Map<string, string[]>();
    const record = (what: string) => (task: Task): void => void seen.set(what, task.describeHeld().filter((l) => l.startsWith('rcu_read_lock')));
    const sub = new MmuNotifier(
      {
        invalidateRangeStart: (task) => {
          record('invalidate_range_start')(task);
          return 0;
        },
      },
      'probe',
    );
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.munmap(t, a, 2 * P));
    expect(seen.get('invalidate_range_start')).toEqual(['rcu_read_lock (rcu, read)']);
  });

  it('a sleep in a callback reports RCU depth 1', async () => {
    const m = new Machine({ era: 'v2.6.27', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const mu = new Mutex(m, 'driver_mutex');
    const sub = new MmuNotifier({ invalidateRangeStart: async (task) => { await v(mu.lock(task)); await v(mu.unlock(task)); return 0; } }, 'sleeper');
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.munmap(t, a, P));
    const sleeps = m.report.violations.filter((x) => x.kind === 'might-sleep');
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]!.message).toContain('(rcu_read_lock depth 1)');
    expect(sleeps[0]!.heldLocks.filter((l) => l.startsWith('rcu_read_lock'))).toHaveLength(1);
  });
});
