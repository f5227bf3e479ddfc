/**
 * The process exits after the device has read its memory, and the device stays open
 * until later: exit's teardown (`release`) must drop every translation before the frames
 * are freed. No race: the order is fixed by virtual time (the CPU sleeps first), so a
 * mirror that keeps its translations across `release` is caught on every schedule,
 * `fifo` included. Window: the device accessed the mapping, then exit's teardown reached
 * the driver.
 */
export const EXIT_AFTER_DEVICE_READ = `name: exit-after-device-read
description: the device reads buf, then the process exits while the device is still open
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 80
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      - op: sleep
        ns: 100
      - op: exit
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 80
      - op: device-read
        at: buf[1]
        expect: 81
      - op: sleep
        ns: 1000
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: detach
windows:
  - name: access-then-teardown
    pattern:
      - kind: access
        device: gpu
      - kind: callback
        callback: [release, interval_invalidate]
        driver: gpu
`;
