/**
 * The device writes a shared file page, writeback cleans it (`page_mkclean`, whose
 * `protection-page` invalidation tells the mirrors), the device writes it again, and a
 * second writeback must write that value out: the second device write has to fault a
 * writable translation again, dirtying the page. No race: the order is fixed by virtual
 * time, so a mirror that keeps its writable translation across the clean is caught on
 * every schedule, `fifo` included. Window: the device wrote, writeback's invalidation
 * covered the page, the device wrote again.
 */
export const DEVICE_WRITE_ACROSS_WRITEBACK = `name: device-write-across-writeback
description: the device writes f[0] before and after an fsync; a second fsync must write the second value
schedule:
  strategy: random
  preempt: [device, yield, lock]
processes:
  - name: app
mappings:
  - name: f
    process: app
    pages: 1
    prot: rw
    kind: file-shared
    file: data
    fill: 20
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      - op: sleep
        ns: 100
      - op: writeback
        mapping: f
      - op: sleep
        ns: 1000
      - op: writeback
        mapping: f
      - op: read
        at: f[0]
        expect: 22
  - name: engine
    driver: gpu
    steps:
      - op: device-write
        at: f[0]
        value: 21
      - op: sleep
        ns: 500
      - op: device-write
        at: f[0]
        value: 22
windows:
  - name: write-clean-write
    pattern:
      - kind: access
        device: gpu
        at: f[0]
        write: true
      - kind: callback
        callback: [invalidate_range_start, invalidate_page]
        covers: f[0]
      - kind: access
        device: gpu
        at: f[0]
        write: true
`;
