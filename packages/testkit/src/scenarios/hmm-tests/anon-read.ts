import { setup } from '../setup.js';

/**
 * hmm-tests `anon_read`: the device reads what the CPU wrote, an untouched page as the
 * zero page (0), and still reads after `mprotect(PROT_READ)`.
 */
export const HMM_ANON_READ = `name: hmm-anon-read
description: the device reads CPU data, the zero page, and read-only data
${setup({ mappings: [{ name: 'buf', pages: 3, fill: 100 }, { name: 'untouched', pages: 1 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - { op: mprotect, label: read-only, at: "buf[0]", pages: 3, prot: r, after: engine.2 }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 100 }
      - { op: device-read, at: "buf[2]", expect: 102 }
      - { op: device-read, at: "untouched[0]", expect: 0 }
      - { op: device-read, at: "buf[0]", expect: 100, after: read-only }
      - { op: device-read, at: "buf[1]", expect: 101 }
`;
