/**
 * The device-latency sweep:
 *
 *   npm run latency:long -w @secondary-mmu/testkit -- [ns…]
 *
 * The conformance suite (every scenario × every era the driver declares, the default
 * seeds) of each reference driver — dmirror, the classic mirror, the ODP mirror (one
 * interval notifier per region), the SVA mirror (sharing the CPU page table), and the
 * tiny driver of docs/writing-a-driver.md — at each device latency (fault = access = ns; default 0, 1,
 * 5, 10, 50, 200, 1000). Prints one line per driver × latency with the case counts and
 * every case that did not pass; exits 1 when any report is not ok. CI runs 0 and 50 ns
 * (the suite's default) instead.
 */
import { checkDriver, classicMirror, DEFAULT_CONFORMANCE_SEEDS, dmirror, formatConformanceCase, odpMirror, svaMirror, type DriverFactory, tuneHeapForExploration } from '../src/index.js';
import { tinyMirror } from '../test/examples/tiny-mirror.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const DRIVERS: readonly DriverFactory[] = [dmirror, classicMirror, odpMirror, svaMirror, tinyMirror];
const given = process.argv.slice(2).map(Number);
if (given.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new Error(`latencies must be non-negative integers of ns, got ${process.argv.slice(2).join(' ')}`);
const latencies = given.length > 0 ? given : [0, 1, 5, 10, 50, 200, 1000];

let ok = true;
const started = performance.now();
for (const driver of DRIVERS) {
  for (const ns of latencies) {
    const r = await checkDriver(driver, { latencies: [{ fault: ns, access: ns }] });
    ok &&= r.ok;
    const c = r.counts;
    console.log(`${driver.name} @ ${ns} ns: ${r.ok ? 'ok' : 'NOT ok'} — ${c.pass} pass, ${c.fail} fail, ${c.inconclusive} inconclusive, ${c.skipped} skipped`);
    for (const x of r.cases) if (x.status === 'fail' || x.status === 'inconclusive') console.log(formatConformanceCase(x));
  }
}
console.log(`${ok ? 'every report ok' : 'NOT ok'} (default seeds ${DEFAULT_CONFORMANCE_SEEDS.join(', ')}; ${((performance.now() - started) / 1000).toFixed(0)} s)`);
if (!ok) process.exitCode = 1;
