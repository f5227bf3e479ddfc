import type { LockClass } from './lock-class.js';
import { captureSite } from './site.js';

/**
 * Where each lock dependency `from -> to` was first made in this process, by class
 * name pair. Lockdep keeps one stack trace per dependency from the first time it is
 * seen since boot (`save_trace()` in `add_lock_to_list()`), and a dependency chain in
 * a splat shows those traces, not the current run's. Here the process is the boot:
 * machines share the site of a dependency (each keeps its own graph, tasks and
 * reports), so an exploration of thousands of machines captures and formats each site
 * once instead of once per machine — a capture costs more than the rest of the edge.
 * Kept as text, so no machine stays reachable through a captured stack. Bounded: past
 * {@link MAX_SITES} pairs a site is captured per edge again.
 */
const sites = new Map<string, Map<string, string>>();
const MAX_SITES = 4096;
let count = 0;

/**
 * The site of the dependency `from -> to`: the first one seen in this process. Looked
 * up by the classes' keys, one map per `from` (no key string built per edge).
 */
export function dependencySite(from: LockClass, to: LockClass): string {
  let after = sites.get(from.key);
  let site = after?.get(to.key);
  if (site === undefined) {
    site = captureSite();
    if (count < MAX_SITES) {
      if (after === undefined) sites.set(from.key, (after = new Map<string, string>()));
      after.set(to.key, site);
      count++;
    }
  }
  return site;
}
