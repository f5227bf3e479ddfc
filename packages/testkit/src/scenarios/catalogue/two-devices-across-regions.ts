/**
 * Two devices on one process and a third on another: each device mirrors pages of
 * several mappings while its process munmaps across a mapping boundary (`lo` is built
 * right below `hi`) and the other process exits. Every device's translations must go
 * with the invalidations of its own notifiers — for one interval notifier per region,
 * each region's — and nothing may outlive an exit. Window: a device accessed `hi[0]`
 * and an unmap invalidation then covered it.
 */
export const TWO_DEVICES_ACROSS_REGIONS = `name: two-devices-across-regions
description: two devices munmapped across a mapping boundary, a third device's process exits
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
processes:
  - name: app
  - name: peer
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
  - name: buf
    process: peer
    pages: 2
    prot: rw
    kind: anon-private
    fill: 300
drivers:
  - name: gpu
    process: app
  - name: nic
    process: app
  - name: dma
    process: peer
tasks:
  - name: cpu
    process: app
    steps:
      # Once a device has accessed hi[0] (an event: any device latency keeps the race).
      - op: yield
        await: { kind: access, at: "hi[0]" }
      - op: yield
      - op: munmap
        at: lo[1]
        pages: 2
  - name: peer-cpu
    process: peer
    steps:
      - op: yield
        await: { kind: access, device: dma, at: "buf[0]" }
      - op: exit
  - name: gpu-engine
    driver: gpu
    steps:
      - op: device-read
        at: hi[0]
        allow: [EFAULT]
      - op: device-write
        at: lo[1]
        value: 5
        allow: [EFAULT]
      - op: device-read
        at: hi[1]
        expect: 201
  - name: nic-engine
    driver: nic
    steps:
      - op: device-write
        at: hi[0]
        value: 7
        allow: [EFAULT]
      - op: device-read
        at: lo[1]
        allow: [EFAULT]
      - op: device-read
        at: lo[0]
        expect: 100
  - name: dma-engine
    driver: dma
    steps:
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: device-write
        at: buf[1]
        value: 9
        allow: [EFAULT, EINVAL]
windows:
  - name: mirrored-when-unmapped
    pattern:
      - kind: access
        at: hi[0]
      - kind: callback
        covers: hi[0]
        event: unmap
`;
