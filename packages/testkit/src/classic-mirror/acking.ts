import { andThen, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, type MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { DriverCapabilities } from '../capabilities.js';
import type { DriverFactory } from '../contract.js';
import { CLASSIC_MIRROR_CAPABILITIES } from './capabilities.js';
import { ClassicMirrorInstance } from './instance.js';
import { classicMirrorOps } from './notifier-ops.js';
import { ClassicMirrorState } from './state.js';

/** The acking mirror's name: its notifier's and its device's. */
export const ACKING_MIRROR_NAME = 'acking-mirror';

/** Virtual ns an invalidation waits for the remote side's acknowledgement. */
export const ACKING_MIRROR_ACK_NS = 2_000;

/** What {@link ackingMirror} declares: the classic mirror's, and it may block. */
export const ACKING_MIRROR_CAPABILITIES: DriverCapabilities = { ...CLASSIC_MIRROR_CAPABILITIES, mayBlock: true };

/**
 * The classic mirror's ops, each invalidation then waiting (sleeping, outside
 * `mmu_lock`) for the remote side to acknowledge its TLB flush — only when the range may
 * block where the era says so (`v6`'s `mmu_notifier_range_blockable()`, `rfc-2008`'s
 * `atomic` argument); `v2.6.27` gave drivers no way to tell, so there it always waits.
 * `invalidate_page` never had a flag: it always waits. `release` waits too (legal in
 * `rfc-2008` and `v6`; `v2.6.27` calls it under `rcu_read_lock()`).
 *
 * In a non-blockable range it returns without the acknowledgement: safe here only
 * because the modelled acknowledgement is pure latency. A real remote-ack driver must
 * not call an unacknowledged flush complete — it answers `-EAGAIN` (and so has no
 * `invalidate_range_end`) or uses an interval notifier answering false.
 */
function ackingOps(state: ClassicMirrorState, machine: Machine): MmuNotifierOps {
  const ops = classicMirrorOps(state, machine.era);
  const ack = (task: Task): void | Promise<void> => machine.sched.sleep(task, ACKING_MIRROR_ACK_NS);
  const knowsBlockable = machine.era !== 'v2.6.27';
  const start = ops.invalidateRangeStart!;
  ops.invalidateRangeStart = (task, sub, range) => andThen(start(task, sub, range), (ret) => (knowsBlockable && !range.blockable ? ret : andThen(ack(task), () => ret)));
  const page = ops.invalidatePage;
  if (page !== undefined) ops.invalidatePage = (task, sub, mm, address) => andThen(page(task, sub, mm, address), () => ack(task));
  const release = ops.release!;
  ops.release = (task, sub, mm) => andThen(release(task, sub, mm), () => ack(task));
  return ops;
}

/**
 * A reference driver whose invalidations sleep: the classic mirror, waiting for a remote
 * acknowledgement after every teardown, as XPMEM and GRU's cross-partition flushes must
 * (the seed thread's question: may `invalidate_page` sleep?). Correct in `v6`, where it
 * waits only in blockable ranges. In `rfc-2008` and `v2.6.27` it waits where those
 * kernels forbid sleeping (`invalidate_page` under the PT lock; every callback inside
 * `rcu_read_lock()` in `v2.6.27`), so it declares `v6` only; the `sleeping-invalidate`
 * scenario runs it in every era to show which ones forbid it.
 *
 * Kernel counterpart: none as such — the blocking-invalidate pattern of XPMEM
 * (`xpmem_invalidate_range`, which waits for remote acknowledgements) on KVM's
 * structure.
 */
export const ackingMirror: DriverFactory = {
  name: ACKING_MIRROR_NAME,
  capabilities: ACKING_MIRROR_CAPABILITIES,
  eras: ['v6'],
  async attach(task: Task, machine: Machine, mm: Mm) {
    const device = new DeviceMmu(machine, { name: ACKING_MIRROR_NAME, driverClass: 'no-references' });
    const state = new ClassicMirrorState(machine, mm, device);
    const subscription = new MmuNotifier(ackingOps(state, machine), ACKING_MIRROR_NAME);
    device.answerFor(subscription);
    await mmuNotifierRegister(task, subscription, mm);
    return new ClassicMirrorInstance(state, subscription);
  },
};
