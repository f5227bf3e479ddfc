import { setup } from '../setup.js';

/**
 * A device faulting and accessing a page while the process munmaps it: the mirror must
 * drop its translation in the invalidation before the frame is freed, and a fault that
 * raced the munmap must not install a translation of the dead page. Window: the device
 * accessed the page and then an unmap invalidation covered it (the device held it when
 * munmap came).
 */
export const FAULT_VS_MUNMAP = `name: fault-vs-munmap
description: device faults and reads buf[0] while the CPU munmaps it
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 100 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      # Go on once the device has accessed the page (an event, not a delay), then race its write.
      - op: yield
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: yield
      - op: munmap
        at: buf[0]
        pages: 1
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        allow: [EFAULT]
      - op: device-write
        at: buf[0]
        value: 7
        allow: [EFAULT]
      - op: device-read
        at: buf[1]
        expect: 101
windows:
  - name: mirrored-when-unmapped
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        driver: gpu
        covers: buf[0]
        event: unmap
`;
