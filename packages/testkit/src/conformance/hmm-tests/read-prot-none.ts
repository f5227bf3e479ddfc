/** hmm-tests `anon_read_prot`: a device read of `PROT_NONE` memory fails with EFAULT. */
export const HMM_READ_PROT_NONE = `name: hmm-read-prot-none
description: a device read of PROT_NONE memory is EFAULT
processes:
  - name: app
mappings:
  - name: guard
    process: app
    pages: 1
    prot: none
    kind: anon-private
    fill: 7
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "guard[0]", error: EFAULT }
`;
