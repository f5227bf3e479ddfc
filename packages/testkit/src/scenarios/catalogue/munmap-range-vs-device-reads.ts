/**
 * The device reads three pages while the process munmaps all three at once: one
 * invalidation (one `arch_invalidate_secondary_tlbs`, for a TLB sharing the CPU page
 * table) covers the whole range, and every page of it must be gone from the device when
 * it returns — a flush that invalidates only part of the range leaves the device holding
 * a page the zap then frees (`late-secondary-flush`, `use-after-free`). The munmap waits
 * for the device's first read; under fifo the device then reads on and detaches before
 * the munmap runs, so only a schedule that switches to the CPU between the reads
 * reaches the race. Window: the device read the middle page and then an unmap invalidation covered
 * it.
 */
export const MUNMAP_RANGE_VS_DEVICE_READS = `name: munmap-range-vs-device-reads
description: the device reads buf[1], buf[0], buf[2] while the CPU munmaps all three pages at once
eras: [v6]
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 3
    prot: rw
    kind: anon-private
    fill: 100
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      # Once the device has read buf[1] (an event: any device latency keeps the race).
      - op: munmap
        at: buf[0]
        pages: 3
        await: { kind: access, device: gpu, at: "buf[1]" }
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[1]
        allow: [EFAULT]
      - op: device-read
        at: buf[0]
        allow: [EFAULT]
      - op: device-read
        at: buf[2]
        allow: [EFAULT]
      - op: device-read
        at: buf[1]
        allow: [EFAULT]
      - op: detach
windows:
  - name: held-when-unmapped
    pattern:
      - kind: access
        device: gpu
        at: buf[1]
      - kind: callback
        driver: gpu
        covers: buf[1]
        event: unmap
`;
