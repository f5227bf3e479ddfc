import { setup } from '../setup.js';

/** hmm-tests `anon_write`: the CPU reads what the device wrote. */
export const HMM_ANON_WRITE = `name: hmm-anon-write
description: the CPU sees the device's writes
${setup({ mappings: [{ name: 'buf', pages: 2 }] })}
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-write, at: "buf[0]", value: 7 }
      - { op: device-write, at: "buf[1]", value: 8 }
  - name: cpu
    process: app
    steps:
      - { op: read, at: "buf[0]", expect: 7, after: engine.1 }
      - { op: read, at: "buf[1]", expect: 8 }
`;
