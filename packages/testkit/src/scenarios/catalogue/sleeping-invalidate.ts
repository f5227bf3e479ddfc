import { setup } from '../setup.js';

/**
 * The seed thread's question — may an invalidation sleep? — asked in each era with a
 * driver whose invalidations wait for a remote acknowledgement (`ackingMirror`, or any
 * driver declaring `mayBlock`). `rfc-2008` calls `invalidate_page` from reclaim under
 * the PT lock, `v2.6.27` every callback inside `rcu_read_lock()`: both report
 * `might-sleep`. `v6` calls blockable ranges from munmap and reclaim outside any
 * spinlock: quiet. A demonstration (it expects violations), not a conformance scenario.
 * Window: the device held the page, then an invalidation covering it reached the driver.
 */
export const SLEEPING_INVALIDATE = `name: sleeping-invalidate
description: a driver sleeping in its invalidations, against munmap and reclaim, in each era
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 20 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - op: munmap
        at: buf[0]
        pages: 1
        await: { kind: access, device: gpu, at: "buf[1]" }
      - op: reclaim
        at: buf[1]
        passes: 3
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[1]
        expect: 21
      - op: device-read
        at: buf[0]
        allow: [EFAULT]
      - op: yield
      - op: device-read
        at: buf[1]
        expect: 21
expect:
  eras:
    rfc-2008:
      violations: [might-sleep]
    v2.6.27:
      violations: [might-sleep]
    v6:
      violations: []
windows:
  - name: held-then-invalidated
    pattern:
      - kind: access
        device: gpu
        at: buf[1]
      - kind: callback
        callback: [invalidate_page, invalidate_range_start]
        driver: gpu
        covers: buf[1]
`;
