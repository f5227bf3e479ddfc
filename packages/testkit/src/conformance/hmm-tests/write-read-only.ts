/**
 * hmm-tests `anon_write_prot`: a device write to read-only memory fails (EPERM from
 * `hmm_range_fault`; EFAULT from `get_user_pages` drivers), and succeeds once the CPU
 * makes the page writable again.
 */
export const HMM_WRITE_READ_ONLY = `name: hmm-write-read-only
description: a device write to read-only memory fails, then succeeds after mprotect(PROT_READ|PROT_WRITE)
processes:
  - name: app
mappings:
  - name: ro
    process: app
    pages: 1
    prot: r
    kind: anon-private
    fill: 5
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-write, at: "ro[0]", value: 9, error: [EPERM, EFAULT] }
      - { op: device-read, at: "ro[0]", expect: 5 }
      - { op: sleep, ns: 20 }
      - { op: device-write, at: "ro[0]", value: 9 }
  - name: cpu
    process: app
    steps:
      - { op: sleep, ns: 10 }
      - { op: mprotect, at: "ro[0]", pages: 1, prot: rw }
      - { op: sleep, ns: 20 }
      - { op: read, at: "ro[0]", expect: 9 }
`;
