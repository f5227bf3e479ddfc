import { createRequire } from 'node:module';
import { loadScenario, runScenario, dmirror as esmDmirror } from '@secondary-mmu/testkit';
const require = createRequire(import.meta.url);
const cjs = require('@secondary-mmu/testkit');
const sc = `name: dw
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 1
    prot: rw
    kind: anon-private
drivers:
  - name: gpu
    process: app
tasks:
  - name: engine
    driver: gpu
    steps:
      - { op: device-write, at: "buf[0]", value: 5 }
      - { op: device-read, at: "buf[0]", expect: 5 }
`;
for (const [label, f] of [['esm', esmDmirror], ['cjs', cjs.dmirror]]) {
  const r = await runScenario(loadScenario(sc), f, { era: 'v6' });
  console.log(label, r.verdict, r.reasons, r.violations.map((v) => v.kind + ': ' + v.message));
}
const esmCore = await import('@secondary-mmu/core-mm');
const cjsCore = require('@secondary-mmu/core-mm');
const r = await runScenario(loadScenario(sc), cjs.dmirror, { era: 'v6' });
const mem = r.machine.mem;
console.log(Object.keys(mem).slice(0,30));
