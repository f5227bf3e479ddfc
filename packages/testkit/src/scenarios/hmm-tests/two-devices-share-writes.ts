import { setup } from '../setup.js';

/**
 * No hmm-tests case of its own: a check on hmm-tests' two-device fixture (`hmm2`, two
 * mirrors of one mm) that each device sees the other's writes and the CPU sees both.
 * (`mixedmap`, which it was once listed as, snapshots a `VM_MIXEDMAP` mapping of the
 * device file: not modelled. Two devices reading the same pages is `hmm-double-map`.)
 */
export const HMM_TWO_DEVICES_SHARE_WRITES = `name: hmm-two-devices-share-writes
description: two devices mirror the same pages; each sees the other's writes and the CPU sees both
${setup({ mappings: [{ name: 'buf', pages: 2, fill: 1 }], drivers: [{ name: 'gpu', process: 'app' }, { name: 'npu', process: 'app' }] })}
tasks:
  - name: gpu-engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[1]", expect: 2 }
      - { op: device-write, label: gpu-wrote, at: "buf[0]", value: 55 }
      - { op: device-read, at: "buf[1]", expect: 66, after: npu-wrote }
  - name: npu-engine
    driver: npu
    steps:
      - { op: device-read, at: "buf[1]", expect: 2 }
      - { op: device-read, at: "buf[0]", expect: 55, after: gpu-wrote }
      - { op: device-write, label: npu-wrote, at: "buf[1]", value: 66 }
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", expect: 55, after: [gpu-engine.2, npu-wrote] }
      - { op: read, at: "buf[1]", expect: 66 }
`;
