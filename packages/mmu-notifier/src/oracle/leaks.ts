import type { Mm, Task } from '@secondary-mmu/core-mm';
import type { Subscriber } from '../events.js';
import type { OracleContext } from './oracle-context.js';
import type { PageHold } from './page-hold.js';
import { hex } from './page-map.js';

/**
 * @internal The leak rule: when a subscription's `release` returns, an interval
 * subscription's RELEASE invalidate returns (its `release` at exit),
 * `mmuNotifierUnregister` (an interval notifier's remove) returns — the lifecycle step
 * `unregistered` — or its last `mmuNotifierPut` unlists it (and again when the put's
 * deferred free has run: no translation may be made after the put), every device answering for
 * it must hold no translation of that mm and no page reference or pin taken for it —
 * of the pages `sub` covers, when the device answers for several subscriptions (one
 * region's notifier going says nothing of the others'), plus those no subscription of
 * the device covers (nothing would ever tear them down).
 * Each leaked translation, reference or pin is reported once (one `leak` per device and
 * occasion, listing them). Kernel counterpart: none; `->release` "must tear everything
 * down" (`include/linux/mmu_notifier.h`), `mmu_notifier_put` requires every spte
 * dropped before it is called (no `->release` follows it), and a leaked pin shows up in
 * the kernel only as memory that never comes back.
 */
export class LeakRule {
  private readonly reportedHolds = new WeakSet<PageHold>();

  constructor(private readonly oracle: OracleContext) {}

  /** Check the devices of `sub` for `mm`; `when` ends the message (`after noref's release returned`). */
  check(sub: Subscriber, mm: Mm, task: Task | null, when: string): void {
    for (const device of this.oracle.devicesFor(sub)) {
      const details: string[] = [];
      let translations = 0;
      let pins = 0;
      let refs = 0;
      for (const h of device.translations(mm)) {
        if (h.state.leakReported || !answersFor(h.subscription, sub)) continue;
        h.state.leakReported = true;
        translations++;
        details.push(`translation ${h.toString()}`);
      }
      for (const hold of device.holds(mm)) {
        if (this.reportedHolds.has(hold) || !answersFor(device.covering(mm, hold.address), sub)) continue;
        this.reportedHolds.add(hold);
        if (hold.pin) pins++;
        else refs++;
        details.push(`${hold.pin ? 'pin' : 'reference'} of pfn ${hold.pfn} (generation ${hold.generation}) for ${hex(hold.address)}, taken at ${hold.time} ns`);
      }
      if (details.length === 0) continue;
      const what = [translations > 0 ? `${translations} translation(s)` : '', pins > 0 ? `${pins} pin(s)` : '', refs > 0 ? `${refs} page reference(s)` : ''].filter((s) => s !== '').join(', ');
      this.oracle.report(task, 'leak', `${device.name}: still holds ${what} of mm ${mm.id} ${when}`, details);
    }
  }
}

/** Does `sub` answer for what `covering` covers: it covers it, or nothing does? */
function answersFor(covering: Subscriber | null, sub: Subscriber): boolean {
  return covering === null || covering === sub;
}
