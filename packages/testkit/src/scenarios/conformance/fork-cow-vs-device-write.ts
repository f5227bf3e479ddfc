import { setup } from '../setup.js';

/**
 * `fork` write-protecting a private page for copy-on-write while the device writes it,
 * then the parent breaking COW by writing: the mirror must drop its writable
 * translation in fork's `protection-page` invalidation (a device write through it would
 * reach a page the child shares) and again when the parent's write moves the mapping
 * to a new page. Window: the device wrote the page, fork's invalidation covered it, and
 * the device wrote it again. The last read has no expected value: a driver whose
 * invalidations take time (legal in a blockable range) makes the CPU's write and the
 * device's last write concurrent, so either may be last. The oracle judges the read
 * (`stale-read`, `lost-write`, `write-through-read-only`, `access-in-invalidation`).
 */
export const FORK_COW_VS_DEVICE_WRITE = `name: fork-cow-vs-device-write
description: the CPU forks (COW) and writes buf[0] while the device writes it
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 10 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - op: fork
        label: forked
        child: kid
        await: { kind: access, device: gpu, at: "buf[0]", write: true }
      - op: write
        at: buf[0]
        value: 20
      - op: read
        at: buf[1]
        expect: 11
  - name: engine
    driver: gpu
    steps:
      - op: device-write
        at: buf[0]
        value: 30
      - op: yield
      - op: device-write
        at: buf[0]
        value: 31
      - op: device-write
        at: buf[0]
        value: 32
        after: forked
      - op: device-read
        at: buf[0]
windows:
  - name: write-fork-write
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
        write: true
      - kind: callback
        driver: gpu
        covers: buf[0]
        event: protection-page
      - kind: access
        device: gpu
        at: buf[0]
        write: true
`;
