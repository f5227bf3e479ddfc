import { createRequire } from 'node:module';
import * as esm from '@secondary-mmu/testkit';
const require = createRequire(import.meta.url);
const cjs = require('@secondary-mmu/testkit');
for (const [rl, runner] of [['esm-runner', esm], ['cjs-runner', cjs]])
for (const name of ['dmirror', 'classicMirror', 'ackingMirror'])
for (const [label, tk] of [['esm', esm], ['cjs', cjs]]) {
  const t0 = Date.now();
  const r = await runner.checkDriver(tk[name], { seeds: [1, 2, 3] });
  console.log(rl, name, label, JSON.stringify(r.counts), Date.now() - t0);
  for (const c of r.cases.filter((c) => c.status === 'fail').slice(0, 2)) console.log(JSON.stringify(c).slice(0, 500));
}
