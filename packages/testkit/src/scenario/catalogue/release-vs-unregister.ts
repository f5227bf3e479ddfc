/**
 * The process exits while its driver unregisters and kswapd reclaims the page the
 * device mirrors (3.4–3.10): `->release` must reach the driver before the
 * subscription leaves the list, or reclaim's invalidation misses a driver that still
 * maps the page and frees it under the device. `v6` only, where the kernel is right;
 * with `kernel: { releaseOrder: unlist-first }` (or in `v2.6.27`, as merged, once `eras`
 * allows it) the same scenario reproduces the historical use-after-free (PCT finds it
 * within 20–1 500 schedules depending on the seed; random schedules rarely do, hence
 * `pct`). Reads only (a device write racing exit is lost by design). Windows: the device
 * accessed the page, its subscription left the list (no invalidation reaches it any
 * more: whether `->release` already ran decides), and only then did reclaim free the
 * page; or the driver's unregister (interval remove) had returned when reclaim freed it.
 */
export const RELEASE_VS_UNREGISTER = `name: release-vs-unregister
description: app exits while the driver unregisters and kswapd reclaims buf[0]
eras: [v6]
schedule:
  strategy: pct
  preempt: [device, yield, lock, spin]
processes:
  - name: app
  - name: kswapd
mappings:
  - name: buf
    process: app
    pages: 1
    prot: rw
    kind: anon-private
    fill: 30
drivers:
  - name: gpu
    process: app
tasks:
  - name: exit
    process: app
    steps:
      - op: sleep
        ns: 1
      - op: exit
  - name: kswapd
    process: kswapd
    steps:
      - op: sleep
        ns: 1
      - op: reclaim
        at: buf[0]
        passes: 3
  - name: close
    driver: gpu
    steps:
      - op: sleep
        ns: 1
      - op: yield
      - op: detach
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 30
      - op: sleep
        ns: 1
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
