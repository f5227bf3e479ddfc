/**
 * Copy-on-write while the device reads the page: after `fork` the parent's write moves
 * its PTE to a new page, and a device TLB sharing the CPU page table must have dropped
 * the old page before that — the flush comes under the PT lock, before the new PTE is
 * set (`wp_page_copy`'s `ptep_clear_flush`), so a flush finished later (by another
 * callback, a worker, the next access) is `late-secondary-flush`, and a device reading
 * the old page after it is `stale-read`. The fork also write-protects the page and
 * flushes the whole mm: reads stay legal across it. The CPU forks once the device has
 * read the page; under fifo the device then reads again and detaches first, so only a
 * schedule that switches to the CPU between the two reads, and lets it fork and write
 * before the device runs again, reaches the race: PCT (priorities, depth 1) does that
 * on most seeds, where uniform random switching back and forth almost never does. Window: the device
 * read the page, then the COW invalidation covered it, then the device read it again.
 */
export const COW_VS_SHARED_TLB = `name: cow-vs-shared-tlb
description: the CPU forks and writes buf[0] (COW) while the device reads it
eras: [v6]
schedule:
  strategy: pct
  depth: 1
  preempt: [device, yield, lock, spin]
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 1
    prot: rw
    kind: anon-private
    fill: 10
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      # Once the device has read buf[0] (an event: any device latency keeps the race).
      - op: fork
        child: kid
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: write
        at: buf[0]
        value: 20
      - op: read
        at: buf[0]
        expect: 20
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
      - op: yield
      - op: device-read
        at: buf[0]
      - op: detach
windows:
  - name: read-cow-read
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
