/**
 * hmm-tests `anon_read`: the device reads what the CPU wrote, an untouched page as the
 * zero page (0), and still reads after `mprotect(PROT_READ)`.
 */
export const HMM_ANON_READ = `name: hmm-anon-read
description: the device reads CPU data, the zero page, and read-only data
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 3
    prot: rw
    kind: anon-private
    fill: 100
  - name: untouched
    process: app
    pages: 1
    prot: rw
    kind: anon-private
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      - op: sleep
        ns: 10
      - op: mprotect
        at: buf[0]
        pages: 3
        prot: r
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 100 }
      - { op: device-read, at: "buf[2]", expect: 102 }
      - { op: device-read, at: "untouched[0]", expect: 0 }
      - { op: sleep, ns: 20 }
      - { op: device-read, at: "buf[0]", expect: 100 }
      - { op: device-read, at: "buf[1]", expect: 101 }
`;
