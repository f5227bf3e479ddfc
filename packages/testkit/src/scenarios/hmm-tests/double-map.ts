import { setup } from '../setup.js';

/**
 * Ports hmm-tests `double_map` without its migration half (migration to device-private
 * memory is not modelled): the CPU fills six pages and makes them read-only, then device
 * 0 reads them all and device 1 reads them all, each seeing the CPU's data. The kernel's
 * "one fault per command" is one fault per page and device here (one command per page);
 * the drivers' own fault counters are checked by the tests.
 */
export const HMM_DOUBLE_MAP = `name: hmm-double-map
description: two devices read the same read-only pages, each faulting them in itself
${setup({ mappings: [{ name: 'buf', pages: 6, fill: 10 }], drivers: [{ name: 'gpu', process: 'app' }, { name: 'npu', process: 'app' }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - { op: mprotect, label: read-only, at: "buf[0]", pages: 6, prot: r }
  - name: device0
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 10, after: read-only }
      - { op: device-read, at: "buf[1]", expect: 11 }
      - { op: device-read, at: "buf[2]", expect: 12 }
      - { op: device-read, at: "buf[3]", expect: 13 }
      - { op: device-read, at: "buf[4]", expect: 14 }
      - { op: device-read, label: device0-read, at: "buf[5]", expect: 15 }
  - name: device1
    driver: npu
    steps:
      - { op: device-read, at: "buf[0]", expect: 10, after: device0-read }
      - { op: device-read, at: "buf[1]", expect: 11 }
      - { op: device-read, at: "buf[2]", expect: 12 }
      - { op: device-read, at: "buf[3]", expect: 13 }
      - { op: device-read, at: "buf[4]", expect: 14 }
      - { op: device-read, at: "buf[5]", expect: 15 }
`;
