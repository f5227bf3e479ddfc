import { setup } from '../setup.js';

/**
 * Idle-page tracking (v6: `mmu_notifier_clear_young` over a range, then
 * `mmu_notifier_test_young` per page, as `/sys/kernel/mm/page_idle` and MGLRU's walks
 * do) while the device reads: a clear must clear the accessed bit of every page of its
 * range — a `||`-style loop that stops at the first young page leaves later pages
 * young, and `test_young` then reports as used a page nobody touched (the oracle's
 * `aging` rule). Needs `implementsAging`. Window: the device accessed buf[1], a clear
 * covered it, then a test asked about it.
 */
export const IDLE_SCAN_VS_DEVICE_ACCESS = `name: idle-scan-vs-device-access
description: the CPU clears and tests the device's young bits over buf while the device reads it
eras: [v6]
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 60 }] })}
tasks:
  - name: idle
    process: app
    steps:
      - { op: clear-young, label: cleared, at: "buf[0]", pages: 2, await: { kind: access, device: gpu, at: "buf[1]" } }
      - { op: test-young, at: "buf[1]" }
      - { op: yield }
      - { op: test-young, at: "buf[0]" }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 60 }
      - { op: device-read, at: "buf[1]", expect: 61 }
      - { op: device-read, at: "buf[0]", expect: 60, after: cleared }
windows:
  - name: access-clear-test
    pattern:
      - kind: access
        device: gpu
        at: buf[1]
      - kind: callback
        callback: clear_young
        driver: gpu
        covers: buf[1]
      - kind: callback
        callback: test_young
        driver: gpu
        covers: buf[1]
`;
