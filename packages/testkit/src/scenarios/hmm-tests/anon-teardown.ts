import { setup } from '../setup.js';

/**
 * Ports hmm-tests `anon_teardown`: a thread of the process waits a random time and then
 * unmaps the top half of the buffer while the device reads it. The bottom half always
 * reads the CPU's data; a top-half page reads it too, or fails with EFAULT once it is
 * gone — never anything else (a stale read is the coherence oracle's). The random wait
 * is the seeded random schedule's: the thread starts once the device has begun reading
 * (an event, so the unmap comes during the read at any device latency), and at each of
 * its yields and each device access the scheduler may switch, so the seed decides which
 * top-half reads precede the unmap (with a device latency, the device's wait before its
 * next access lets the unmap in first). Deliberate differences: one device command per page, so a read that races
 * the unmap fails for the unmapped pages only, where the kernel's one command over the
 * buffer fails as a whole (and is then not checked); the kernel's ten rounds are the
 * suite's seeds.
 */
export const HMM_ANON_TEARDOWN = `name: hmm-anon-teardown
description: a thread unmaps the top half of the buffer after a random wait while the device reads it
schedule:
  strategy: random
  preempt: [device, yield]
${setup({ mappings: [{ name: 'buf', pages: 4, fill: 100 }] })}
tasks:
  - name: unmapper
    process: app
    steps:
      - { op: yield, await: { kind: access, device: gpu, at: "buf[0]" } }
      - { op: yield }
      - { op: yield }
      - { op: munmap, at: "buf[2]", pages: 2 }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 100 }
      - { op: device-read, at: "buf[1]", expect: 101 }
      - { op: device-read, at: "buf[2]", expect: 102, allow: [EFAULT] }
      - { op: device-read, at: "buf[3]", expect: 103, allow: [EFAULT] }
`;
