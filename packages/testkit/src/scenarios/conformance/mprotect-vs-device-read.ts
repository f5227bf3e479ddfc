import { setup } from '../setup.js';

/**
 * `mprotect` downgrading a page to read-only while the device reads and writes it: the
 * mirror must drop (or write-protect) its writable translation in the `protection-vma`
 * invalidation, so a device write after the downgrade faults and is refused (EPERM)
 * rather than going through a stale writable translation, while reads keep working.
 * Window: the device accessed the page, the downgrade's invalidation covered it, and the
 * device accessed it again.
 */
export const MPROTECT_VS_DEVICE_READ = `name: mprotect-vs-device-read
description: the CPU mprotects buf[0] read-only while the device reads and writes it
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 40 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - op: mprotect
        label: downgraded
        at: buf[0]
        pages: 1
        prot: r
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: read
        at: buf[1]
        expect: 41
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
      - op: device-write
        at: buf[0]
        value: 7
        allow: [EPERM]
      - op: yield
      - op: device-read
        at: buf[0]
      - op: device-write
        at: buf[0]
        value: 8
        allow: [EPERM]
        after: downgraded
      - op: device-read
        at: buf[1]
        expect: 41
windows:
  - name: access-downgrade-access
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        driver: gpu
        covers: buf[0]
        event: protection-vma
      - kind: access
        device: gpu
        at: buf[0]
`;
