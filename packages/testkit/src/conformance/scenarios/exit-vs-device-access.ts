/**
 * The process exiting while the device reads its memory: the mirror must tear every
 * translation down when told (`release`, or the interval notifier's `release`
 * invalidation) before the frames are freed, refuse later accesses (EFAULT, or EINVAL
 * once the mm is gone), and detach cleanly afterwards. Reads only: a device write
 * racing exit lands in memory nobody will see again (the oracle's `lost-write`), which
 * is the scenario's race, not the driver's fault. Window: the device accessed the
 * mapping, then exit's teardown reached the driver.
 */
export const EXIT_VS_DEVICE_ACCESS = `name: exit-vs-device-access
description: the process exits while the device reads buf
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 70
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      - op: yield
      - op: yield
      - op: yield
      - op: exit
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: device-read
        at: buf[1]
        allow: [EFAULT, EINVAL]
      - op: yield
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: sleep
        ns: 1000
      - op: device-read
        at: buf[1]
        allow: [EFAULT, EINVAL]
      - op: detach
windows:
  - name: access-then-teardown
    pattern:
      - kind: access
        device: gpu
      - kind: callback
        callback: [release, interval_invalidate]
        driver: gpu
`;
