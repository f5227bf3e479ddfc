import { loadScenario } from '@secondary-mmu/testkit';
import type { ResolvedScenario } from '../scenarios/resolve.js';

/**
 * The run behind each row of the semantics table, whatever scenarios were chosen: the
 * device reads a page twice with nothing else running (so references beyond the primary
 * MMU's at the second read are the device's own), the CPU ages the page (does the driver
 * answer young?), then munmaps it (does the invalidation block?). Kernel counterpart: none.
 */
export const SEMANTICS_PROBE_YAML = `name: semantics-probe
description: the device reads a page twice alone, then the CPU ages it and munmaps it
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 1
    prot: rw
    kind: anon-private
    fill: 7
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[0]", expect: 7 }
      - { op: device-read, at: "buf[0]", expect: 7 }
  - name: cpu
    process: app
    steps:
      - { op: age, at: "buf[0]", after: engine.1 }
      - { op: munmap, at: "buf[0]", pages: 1 }
`;

let probe: ResolvedScenario | undefined;

/** The probe as a resolved scenario: its tokens carry its text, so they replay like a file's. Kernel counterpart: none. */
export function semanticsProbe(): ResolvedScenario {
  probe ??= { scenario: loadScenario(SEMANTICS_PROBE_YAML, { source: 'semantics-probe' }), source: { file: 'semantics-probe', text: SEMANTICS_PROBE_YAML } };
  return probe;
}
