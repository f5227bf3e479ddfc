import { setup } from '../setup.js';

/**
 * Ports hmm-tests `anon_write_prot`. A read-only anonymous mapping the CPU never touched:
 * the device reads the zero page (0), its write fails with EPERM (a write where only read
 * is allowed, as `hmm_range_fault` answers it) and changes nothing the CPU sees; after
 * `mprotect(PROT_READ|PROT_WRITE)` the device's write succeeds and replaces the zero page,
 * and the CPU reads what it wrote. Deliberate differences: two pages instead of 1024, and
 * one device command per page (the kernel's one command over the buffer), so the kernel's
 * "one fault per command" is one fault per page here — the driver's own counters
 * (`dmirror`'s `faults`, the classic mirror's `stats.faults`) are checked by the tests.
 */
export const HMM_ANON_WRITE_PROT = `name: hmm-anon-write-prot
description: a device write to an untouched read-only page is EPERM; after mprotect(PROT_READ|PROT_WRITE) it replaces the zero page
${setup({ mappings: [{ name: 'buf', pages: 2, prot: 'r' }] })}
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 0 }
      - { op: device-write, at: "buf[0]", value: 9, error: EPERM }
      - { op: device-write, at: "buf[1]", value: 10, error: EPERM }
      - { op: device-write, at: "buf[0]", value: 9, after: writable }
      - { op: device-write, at: "buf[1]", value: 10 }
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", expect: 0, after: engine.2 }
      - { op: read, at: "buf[1]", expect: 0 }
      - { op: mprotect, label: writable, at: "buf[0]", pages: 2, prot: rw }
      - { op: read, at: "buf[0]", expect: 9, after: engine.4 }
      - { op: read, at: "buf[1]", expect: 10 }
`;
