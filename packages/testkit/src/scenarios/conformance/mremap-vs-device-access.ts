import { setup } from '../setup.js';

/**
 * `mremap` moving a buffer (`MREMAP_MAYMOVE | MREMAP_FIXED` onto another mapping) while
 * the device reads and writes it: the move's page-table walk runs inside an UNMAP range
 * over the old addresses (one over the whole span in v6, one per extent in the 2008
 * eras), so the mirror must drop its translations of `buf` there; the pages themselves
 * live on at the new address, where the device finds them through a new fault. A device
 * write through a translation kept across the move would land on a page the process
 * maps elsewhere. Window: the device accessed `buf[0]`, then the move's invalidation
 * covered it.
 */
export const MREMAP_VS_DEVICE_ACCESS = `name: mremap-vs-device-access
description: the CPU moves buf onto spare with mremap while the device reads and writes buf
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({
  mappings: [
    { name: 'buf', pages: 2, fill: 60 },
    { name: 'spare', pages: 2, fill: 90 },
  ],
})}
tasks:
  - name: cpu
    process: app
    steps:
      - op: mremap
        label: moved
        at: buf[0]
        pages: 2
        to: spare[0]
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: read
        at: spare[1]
        expect: 61
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 60
      - op: device-write
        at: buf[0]
        value: 7
        allow: [EFAULT]
      - op: yield
      - op: device-read
        at: spare[0]
        after: moved
      - op: device-read
        at: spare[1]
        expect: 61
      - op: device-read
        at: buf[1]
        error: EFAULT
windows:
  - name: mirrored-when-moved
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        driver: gpu
        covers: buf[0]
        event: unmap
`;
