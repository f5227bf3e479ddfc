// A setup file of every package's tests: the tests explore (thousands of schedules,
// each on a machine of its own), so they run on the heap testkit's
// tuneHeapForExploration sets — written out here, as this file cannot import a package
// that may not be built yet. Set at run time, not through vitest's `execArgv`: the
// threads pool (StrykerJS's vitest runner uses it) refuses V8 flags in a worker's argv.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-allocation-site-pretenuring');
