import { setup } from '../setup.js';

/**
 * A device accessing a page while reclaim ages it, unmaps it and swaps it out: the
 * mirror must hear of the unmap (`invalidate_page` in the 2008 eras, a range in v6)
 * before the frame is freed, and read the swapped-in data afterwards. Window: the
 * device accessed the page, reclaim freed it, and the device accessed it again (its
 * last read comes after the reclaim task's end, so the window is hit whenever a read
 * came first).
 */
export const ACCESS_VS_RECLAIM = `name: access-vs-reclaim
description: device reads buf[0] while the CPU reclaims the same page
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 1, fill: 40 }] })}
tasks:
  - name: kswapd
    process: app
    steps:
      - op: reclaim
        label: reclaimed
        at: buf[0]
        passes: 3
        await: { kind: access, device: gpu, at: "buf[0]" }
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 40
      - op: yield
      - op: device-read
        at: buf[0]
        expect: 40
      # Once reclaim is done: the page must fault back in with its content.
      - op: device-read
        at: buf[0]
        expect: 40
        after: reclaimed
windows:
  - name: access-free-access
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: scan
        at: buf[0]
        verdict: freed
      - kind: access
        device: gpu
        at: buf[0]
`;
