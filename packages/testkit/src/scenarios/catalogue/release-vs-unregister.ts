import { setup } from '../setup.js';

/**
 * The release race (2.6.27 until 3ad3d901 in 2012, and again in 3.9 until d34883d4):
 * the process exits while its driver unregisters and kswapd reclaims the page the
 * device maps. `->release` must reach the driver before the subscription leaves the
 * list, or reclaim's invalidation misses a driver that still maps the page and frees
 * it under the device. It hurts drivers whose mappings hold no page reference (KVM from
 * 2.6.32, GRU); 2.6.27's KVM held one per spte and was immune. The accessor is a
 * GRU-like device engine: a driver task, not a thread of the exiting mm, so it keeps
 * reading through the translation it has until `->release` revokes it.
 *
 * `v6` only, where the kernel is right; with `kernel: { releaseOrder: unlist-first }`
 * (or in `v2.6.27`, as merged, with `eras` widened) the same scenario reproduces the
 * use-after-free (PCT finds it within 20–1 500 schedules depending on the seed; random
 * schedules rarely do, hence `pct`). Reads only (a device write racing exit is lost by
 * design). Windows: the device accessed the page, its subscription left the list (no
 * invalidation reaches it any more: whether `->release` already ran decides), and only
 * then did reclaim free the page; or the driver's unregister (interval remove) had
 * returned when reclaim freed it.
 */
export const RELEASE_VS_UNREGISTER = `name: release-vs-unregister
description: app exits while the driver unregisters and kswapd reclaims buf[0]
eras: [v6]
schedule:
  strategy: pct
  preempt: [device, yield, lock, spin]
${setup({ processes: ['app', 'kswapd'], mappings: [{ name: 'buf', pages: 1, fill: 30 }] })}
tasks:
  - name: exit
    process: app
    steps:
      - op: exit
        after: engine.0
  - name: kswapd
    process: kswapd
    steps:
      - op: reclaim
        at: buf[0]
        passes: 3
        after: engine.0
  - name: close
    driver: gpu
    steps:
      - op: yield
        after: engine.0
      - op: detach
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 30
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: yield
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
windows:
  - name: unlisted-then-freed
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: lifecycle
        step: unlisted
        driver: gpu
      - kind: scan
        at: buf[0]
        verdict: freed
  - name: detached-then-freed
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: lifecycle
        step: unregistered
        driver: gpu
      - kind: scan
        at: buf[0]
        verdict: freed
`;
