import { setup } from '../setup.js';

/**
 * `MADV_DONTNEED` zapping a page while the device faults it in: the mirror must drop
 * its translation in the `clear` invalidation before the frame is freed, and a device
 * fault racing the zap must retry rather than install a translation of the freed page
 * (afterwards the device sees the fresh zero page or its own later write). Window: the
 * device accessed the page, the zap's invalidation covered it, and the device faulted
 * and accessed it again.
 */
export const DONTNEED_VS_DEVICE_FAULT = `name: dontneed-vs-device-fault
description: the CPU madvise(DONTNEED)s buf[0] while the device faults it in
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 50 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - op: madvise-dontneed
        label: zapped
        at: buf[0]
        pages: 1
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: read
        at: buf[1]
        expect: 51
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
      - op: yield
      - op: device-read
        at: buf[0]
      - op: device-write
        at: buf[0]
        value: 9
        after: zapped
      - op: device-read
        at: buf[0]
        expect: 9
windows:
  - name: access-zap-access
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        driver: gpu
        covers: buf[0]
        event: clear
      - kind: access
        device: gpu
        at: buf[0]
`;
