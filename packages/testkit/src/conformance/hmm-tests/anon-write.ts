/** hmm-tests `anon_write`: the CPU reads what the device wrote. */
export const HMM_ANON_WRITE = `name: hmm-anon-write
description: the CPU sees the device's writes
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-write, at: "buf[0]", value: 7 }
      - { op: device-write, at: "buf[1]", value: 8 }
  - name: cpu
    process: app
    steps:
      - { op: sleep, ns: 10 }
      - { op: read, at: "buf[0]", expect: 7 }
      - { op: read, at: "buf[1]", expect: 8 }
`;
