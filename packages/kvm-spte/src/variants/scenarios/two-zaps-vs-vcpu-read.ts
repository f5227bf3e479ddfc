/**
 * The scenario of {@link FLUSH_AFTER_UNLOCK}: `mprotect` and reclaim invalidate the same
 * page while a vCPU keeps reading it. Neither path holds the other off (reclaim takes no
 * `mmap_lock`), so the second invalidation can reach the VM while the first has zapped
 * the spte but not yet flushed the vCPUs' TLBs; if it then skips the flush, reclaim frees
 * the page under a vCPU access already on its way. Window: the vCPU accessed the page,
 * both invalidations reached the VM, and the vCPU accessed it again. Kernel counterpart:
 * none — a test scenario.
 *
 * @internal
 */
export const TWO_ZAPS_VS_VCPU_READ = `name: two-zaps-vs-vcpu-read
description: mprotect and kswapd invalidate buf[0] together while a vCPU reads it
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
  - name: cpu
    process: app
    steps:
      - op: mprotect
        at: buf[0]
        pages: 1
        prot: r
        after: engine.0
  - name: kswapd
    process: kswapd
    steps:
      - op: reclaim
        at: buf[0]
        passes: 3
        after: engine.0
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 30
      - op: device-read
        at: buf[0]
        expect: 30
      - op: device-read
        at: buf[0]
        expect: 30
      - op: device-read
        at: buf[0]
        expect: 30
windows:
  - name: access-zap-zap-access
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        callback: invalidate_range_start
        driver: gpu
        covers: buf[0]
      - kind: callback
        callback: invalidate_range_start
        driver: gpu
        covers: buf[0]
      - kind: access
        device: gpu
        at: buf[0]
`;
