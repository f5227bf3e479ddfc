import { setup } from '../setup.js';

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
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 70 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - op: exit
        label: exited
        await: { kind: access, device: gpu }
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
      - op: device-read
        at: buf[1]
        allow: [EFAULT, EINVAL]
        after: exited
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
