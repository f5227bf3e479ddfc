import { setup } from '../setup.js';

/**
 * The seed thread's first case: a device accessing a page while the VM ages it. Every
 * `page_referenced` pass asks the secondary MMU (`clear_flush_young`; `age_page` in
 * `rfc-2008`) whether the page was used since the last pass and clears its accessed
 * bit: an answer that forgets a device access lets reclaim evict a hot page (the
 * oracle's `aging` rule). Needs `implementsAging`. Window: the device accessed the page,
 * an aging pass asked, the device accessed it again, and a pass asked again.
 */
export const ACCESS_VS_AGING = `name: access-vs-aging
description: the device reads buf[0] while the CPU ages it (page_referenced, clear_flush_young)
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ mappings: [{ name: 'buf', pages: 1, fill: 50 }] })}
tasks:
  - name: aging
    process: app
    steps:
      - op: age
        at: buf[0]
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: yield
      - op: age
        label: aged
        at: buf[0]
        after: engine.2
      - op: age
        at: buf[0]
        after: wrote
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        expect: 50
      - op: yield
      - op: device-read
        at: buf[0]
        expect: 50
      - op: device-write
        label: wrote
        at: buf[0]
        value: 51
        after: aged
windows:
  - name: access-age-access-age
    pattern:
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        callback: clear_flush_young
        driver: gpu
        covers: buf[0]
      - kind: access
        device: gpu
        at: buf[0]
      - kind: callback
        callback: clear_flush_young
        driver: gpu
        covers: buf[0]
`;
