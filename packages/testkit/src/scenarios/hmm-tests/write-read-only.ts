import { setup } from '../setup.js';

/**
 * hmm-tests `anon_write_prot`: a device write to read-only memory fails (EPERM from
 * `hmm_range_fault`; EFAULT from `get_user_pages` drivers), and succeeds once the CPU
 * makes the page writable again.
 */
export const HMM_WRITE_READ_ONLY = `name: hmm-write-read-only
description: a device write to read-only memory fails, then succeeds after mprotect(PROT_READ|PROT_WRITE)
${setup({ mappings: [{ name: 'ro', pages: 1, prot: 'r', fill: 5 }] })}
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-write, at: "ro[0]", value: 9, error: [EPERM, EFAULT] }
      - { op: device-read, at: "ro[0]", expect: 5 }
      - { op: device-write, label: wrote, at: "ro[0]", value: 9, after: writable }
  - name: cpu
    process: app
    steps:
      - { op: mprotect, label: writable, at: "ro[0]", pages: 1, prot: rw, after: engine.1 }
      - { op: read, at: "ro[0]", expect: 9, after: wrote }
`;
