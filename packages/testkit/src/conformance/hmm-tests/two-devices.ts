/** hmm-tests `mixedmap`/two mirrors of one mm: two devices on the same pages see each other's writes, and the CPU sees both. */
export const HMM_TWO_DEVICES = `name: hmm-two-devices
description: two devices mirror the same pages; each sees the other's writes and the CPU sees both
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 1
drivers:
  - name: gpu
    process: app
  - name: npu
    process: app
tasks:
  - name: gpu-engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[1]", expect: 2 }
      - { op: device-write, at: "buf[0]", value: 55 }
      - { op: sleep, ns: 20 }
      - { op: device-read, at: "buf[1]", expect: 66 }
  - name: npu-engine
    driver: npu
    steps:
      - { op: device-read, at: "buf[1]", expect: 2 }
      - { op: sleep, ns: 10 }
      - { op: device-read, at: "buf[0]", expect: 55 }
      - { op: device-write, at: "buf[1]", value: 66 }
  - name: cpu
    process: app
    steps:
      - { op: sleep, ns: 30 }
      - { op: read, at: "buf[0]", expect: 55 }
      - { op: read, at: "buf[1]", expect: 66 }
`;
