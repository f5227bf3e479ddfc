/**
 * A device mirroring pages on both sides of a mapping boundary while the process
 * munmaps across it: one unmap invalidation spans two mappings — for a driver with one
 * interval notifier per registered region, two regions, each of whose callbacks must
 * zap its own side. `lo` is built right below `hi`, so `lo[1]` + 2 pages is `lo[1]` and
 * `hi[0]`. Window: the device accessed `hi[0]` (the second region) and then an unmap
 * invalidation covered it.
 */
export const MUNMAP_ACROSS_REGIONS = `name: munmap-across-regions
description: the device reads and writes on both sides of a mapping boundary while the CPU munmaps across it
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
processes:
  - name: app
mappings:
  - name: hi
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 200
  - name: lo
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 100
drivers:
  - name: nic
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      # Once the device has accessed hi[0] (an event: any device latency keeps the race).
      - op: yield
        await: { kind: access, device: nic, at: "hi[0]" }
      - op: yield
      - op: munmap
        at: lo[1]
        pages: 2
  - name: engine
    driver: nic
    steps:
      - op: device-read
        at: hi[0]
        allow: [EFAULT]
      - op: device-read
        at: lo[1]
        allow: [EFAULT]
      - op: device-write
        at: hi[0]
        value: 7
        allow: [EFAULT]
      - op: device-read
        at: lo[0]
        expect: 100
      - op: device-read
        at: hi[1]
        expect: 201
windows:
  - name: second-region-mirrored-when-unmapped
    pattern:
      - kind: access
        device: nic
        at: hi[0]
      - kind: callback
        driver: nic
        covers: hi[0]
        event: unmap
`;
