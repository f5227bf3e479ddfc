import { measure, type Measurements } from '../../src/measure.js';
import { runSample } from '../../src/run-sample.js';

let once: Promise<Measurements> | undefined;

/** The default run's measurements, run once per test file (a run takes about a second). */
export function defaultRun(): Promise<Measurements> {
  return (once ??= runSample().then(measure));
}
