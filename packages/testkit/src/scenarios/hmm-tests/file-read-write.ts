import { setup } from '../setup.js';

/**
 * hmm-tests `file_read` and `file_write`: the device reads file data through a shared
 * and a private mapping, and its write through the shared mapping reaches the file — a
 * second process mapping the file sees it.
 */
export const HMM_FILE_READ_WRITE = `name: hmm-file-read-write
description: the device reads a file through shared and private mappings; its shared write reaches the file
${setup({ processes: ['app', 'reader'], mappings: [{ name: 'shared', pages: 2, kind: 'file-shared', file: 'data', fill: 30 }, { name: 'private', pages: 2, prot: 'r', kind: 'file-private', file: 'data' }, { name: 'other', process: 'reader', pages: 2, prot: 'r', kind: 'file-shared', file: 'data' }] })}
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "shared[0]", expect: 30 }
      - { op: device-read, at: "private[1]", expect: 31 }
      - { op: device-write, at: "shared[1]", value: 41 }
  - name: check
    process: reader
    steps:
      - { op: read, at: "other[1]", expect: 41, after: engine.2 }
      - { op: read, at: "other[0]", expect: 30 }
`;
