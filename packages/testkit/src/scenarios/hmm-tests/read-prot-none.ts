import { setup } from '../setup.js';

/** hmm-tests `anon_read_prot`: a device read of `PROT_NONE` memory fails with EFAULT. */
export const HMM_READ_PROT_NONE = `name: hmm-read-prot-none
description: a device read of PROT_NONE memory is EFAULT
${setup({ mappings: [{ name: 'guard', pages: 1, prot: 'none', fill: 7 }] })}
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "guard[0]", error: EFAULT }

`;
