// The sample's entry (`npm run sample`): run the workload (or replay a token), print the
// measurements and the cross-driver facts; exit 1 when a fact does not hold or the run
// recorded a violation, 2 on bad arguments.
import { parseArgs } from 'node:util';
import { facts } from '../src/facts.js';
import { measure } from '../src/measure.js';
import { renderSample } from '../src/render.js';
import { runSample } from '../src/run-sample.js';

let values: { replay?: string; seed?: string; json?: boolean; 'xpmem-writes'?: boolean };
try {
  ({ values } = parseArgs({ options: { replay: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, 'xpmem-writes': { type: 'boolean' } } }));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && !Number.isSafeInteger(seed)) {
  console.error(`--seed ${values.seed}: not a whole number`);
  process.exit(2);
}
let m;
try {
  const xpmemWrites = values['xpmem-writes'] === true;
  m = measure(await runSample(values.replay !== undefined ? { replay: values.replay, xpmemWrites } : { seed, xpmemWrites }), xpmemWrites);
} catch (error) {
  // A token that is not one, or recorded for another program or era: bad input.
  console.error(`sample: ${(error as Error).message}`);
  process.exit(2);
}
const found = facts(m);
console.log(values.json === true ? JSON.stringify({ measurements: m, facts: found }, null, 2) : renderSample(m, found));
process.exitCode = m.violations === 0 && found.every((f) => f.holds) ? 0 : 1;
