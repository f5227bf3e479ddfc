import { setup } from '../setup.js';

/**
 * Writeback of a shared file page the device writes: writeback cleans the page
 * (`page_mkclean`, which write-protects every mapping and tells the mirrors), so a
 * device write after it must fault a writable translation again (dirtying the page)
 * rather than write through a stale one; the CPU then reads the device's last value.
 * The first device write races the clean; the second comes after it.
 * Window: writeback's clean callback covered the page, then the device wrote it.
 */
export const WRITEBACK_VS_DEVICE_WRITE = `name: writeback-vs-device-write
description: the device writes f[0] around an fsync of its file
schedule:
  strategy: random
  preempt: [device, yield, lock]
${setup({ mappings: [{ name: 'f', pages: 1, kind: 'file-shared', file: 'data', fill: 10 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - op: write
        at: f[0]
        value: 11
      # Clean the page once the device mirrors it, racing its first write.
      - op: writeback
        label: cleaned
        mapping: f
        after: engine.0
      - op: writeback
        mapping: f
        after: device-wrote
      - op: read
        at: f[0]
        expect: 13
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: f[0]
        expect: 11
        after: cpu.0
      - op: device-write
        at: f[0]
        value: 12
      # After the clean: must fault a writable translation again, dirtying the page.
      - op: device-write
        label: device-wrote
        at: f[0]
        value: 13
        after: cleaned
windows:
  - name: clean-then-device-write
    pattern:
      - kind: callback
        callback: [invalidate_range_start, invalidate_page]
        covers: f[0]
      - kind: access
        device: gpu
        at: f[0]
        write: true
`;
