#!/usr/bin/env node
// Regenerates docs/benchmarks.md from one benchmark run.
//
//   npm run bench:docs                 (builds first; the full run, several minutes)
//   node scripts/bench-docs.mjs [--quick] [--out <file>] [--from <run.jsonl>]
//
// Runs, one after another: each package's `bench` script (core-mm: tinybench lines and
// the model interleaved with the kernel reference; mmu-notifier; testkit: the explore
// lines), then the explorer's heap over 100,000 schedules. Saves every JSON line of the
// run, each tagged with its `group`, and a first `run` line describing the machine
// (CPU model, cores, memory, OS, Node, load) to the document's name with `.jsonl`
// (docs/benchmarks.jsonl), then writes the numbers above the marker line of the
// document; what follows the marker is written by hand and kept as it is.
// --from: render a saved run again instead of measuring (the text changed, not the run).
// --quick: testkit's smoke mode and 5,000 schedules of heap, for trying the script out
// (write those elsewhere with --out).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, from: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'docs/benchmarks.md'));
const saved = out.replace(/\.md$/, '') + '.jsonl';
const MARKER = '<!-- bench-docs: everything below this line is written by hand; `npm run bench:docs` keeps it as it is. -->';
const HEAP_SCHEDULES = values.quick ? 5_000 : 100_000;

/** Run a command, stderr to ours (progress), and parse the JSON lines it prints, tagged with `group`. */
function jsonLines(group, command, args, cwd) {
  console.error(`bench-docs: ${group}…`);
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${group}: ${command} ${args.join(' ')} exited ${r.status}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => ({ group, ...JSON.parse(l) }));
}

/** Measure: the run's description, then every group's lines. */
function measure() {
  const load0 = os.loadavg();
  const t0 = Date.now();
  const pkg = (name) => path.join(root, 'packages', name);
  const lines = [
    ...jsonLines('core-mm', 'npm', ['run', '--silent', 'bench'], pkg('core-mm')),
    ...jsonLines('mmu-notifier', 'npm', ['run', '--silent', 'bench'], pkg('mmu-notifier')),
    ...jsonLines('testkit', 'npm', ['run', '--silent', 'bench', ...(values.quick ? ['--', '--quick'] : [])], pkg('testkit')),
    ...jsonLines('heap', process.execPath, ['--expose-gc', 'bench/explore-memory.mjs', String(HEAP_SCHEDULES)], pkg('testkit')),
  ];
  const cpus = os.cpus();
  const run = {
    group: 'run',
    name: 'bench-docs.run',
    started: new Date(t0).toISOString(),
    minutes: Number(((Date.now() - t0) / 60_000).toFixed(1)),
    quick: values.quick,
    cpu: [...new Set(cpus.map((c) => c.model.trim()))].join(', ') || 'unknown CPU',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadStart: load0,
    loadEnd: os.loadavg(),
  };
  writeFileSync(saved, [run, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n');
  return [run, ...lines];
}

const all = values.from === undefined ? measure() : readFileSync(values.from, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const group = (g) => all.filter((l) => l.group === g);
const run = group('run')[0];
const coreMm = group('core-mm');
const notifier = group('mmu-notifier');
const testkit = group('testkit');
const heap = group('heap')[0];
if (run === undefined || heap === undefined) throw new Error('the run has no `run` or `heap` line');
const minutes = run.minutes;

// ---- formatting ----
const sig = (x, d = 3) => Number(x.toPrecision(d)).toString();
/** 1.23 M, 456 k, 78.9: three significant digits. */
function num(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1e6) return `${sig(x / 1e6)} M`;
  if (a >= 1e4) return `${sig(x / 1e3)} k`;
  return sig(x);
}
const spread = (s) => (s === undefined ? '—' : `${num(s.min)} / ${num(s.median)} / ${num(s.max)}`);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const cell = (x) => String(x).replaceAll('|', '\\|'); // a pipe in a note would end the cell
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
const byName = (lines, name) => lines.find((l) => l.name === name);

// ---- machine ----
const when = run.started.slice(0, 16).replace('T', ' ');
const loads = (l) => l.map((x) => x.toFixed(2)).join(' / ');
const machine = `${run.cpu}, ${run.cores} logical core${run.cores === 1 ? '' : 's'} (${run.availableParallelism} available to Node), ${run.memoryGiB} GiB; ${run.os}; Node ${run.node}. Load average (1 / 5 / 15 min) ${loads(run.loadStart)} at the start, ${loads(run.loadEnd)} at the end.`;

// ---- explore ----
const explore = testkit.filter((l) => l.name.startsWith('explore.schedules') && !l.name.endsWith('.skipped') && l.name !== 'explore.schedules.workers-2');
const exploreRows = explore.map((l) => [`\`${l.name}\``, l.scenario, `**${num(l.value)}**`, spread(l.cpu), num(l.cpuUser.median), spread(l.wall), l.verdicts.join(', ')]);
const headline = byName(testkit, 'explore.schedules');
const workers = byName(testkit, 'explore.schedules.workers-2');
const workersSkipped = byName(testkit, 'explore.schedules.workers-2.skipped');
const workersText =
  workers !== undefined
    ? table(
        ['line', '2 workers, wall (min / median / max)', '1 worker, wall (min / median / max)', '2 workers / 1 worker, pair by pair (min / median / max)'],
        [[`\`${workers.name}\``, spread(workers.wall), spread(workers.oneWorkerWall), spread(workers.ratioToOneWorker)]],
      )
    : `Not measured in this run: ${workersSkipped?.reason ?? 'no line'}. The line appears once \`explore\` accepts \`workers\`.`;
const signed = (x) => `${x >= 0 ? '+' : ''}${x}`;
const steady = heap.steadyGrowthPercent ?? Number((((heap.value - heap.points[1].heapUsed) / heap.points[1].heapUsed) * 100).toFixed(1));
const heapRows = heap.points.map((p) => [p.schedules.toLocaleString('en-US'), mib(p.heapUsed)]);

// ---- core-mm ----
const tiny = (lines, names) => lines.filter((l) => names.test(l.name) && l.spread !== undefined);
const tinyRows = (lines) => lines.map((l) => [`\`${l.name}\``, `${num(l.value)} ${l.unit}`, spread(l.spread), l.verify ?? '—', l.note ?? '']);
const tinyHead = ['name', 'value (mean)', 'per call: slowest / median / fastest', 'verify', 'what'];
const kernelRows = coreMm
  .filter((l) => l.name.startsWith('ratio.'))
  .map((r) => {
    const name = r.name.slice('ratio.'.length);
    const k = byName(coreMm, `kernel.${name}`);
    const goal = r.goal === undefined ? '' : ` (goal ≥ ${r.goal}: ${r.met ? 'met' : '**not met**'})`;
    return [`\`${name}\``, spread(r.model.cpu), spread(k?.cpu), `**${sig(r.value)}**${goal}`, spread(r.pairs), spread(r.wallPairs), `${sig(r.bestOfN.cpu)} / ${sig(r.bestOfN.wall)}`, r.verify ?? '—'];
  });
const kernelSkipped = byName(coreMm, 'kernel.skipped');
const readLine = byName(coreMm, 'kernel.fault.anon-read');
const rounds = coreMm.find((l) => l.name.startsWith('ratio.'))?.rounds;

const generated = `# Benchmarks

Recorded ${when} UTC by \`npm run bench:docs\`${run.quick ? ' (**--quick**: smoke-run counts, not for comparison)' : ''}, one run of ${minutes} min; every number below comes from it (\`scripts/bench-docs.mjs\` writes this part of the page from the run's lines, saved in [${path.basename(values.from ?? saved)}](${path.basename(values.from ?? saved)})).

**Machine**: ${machine}

\`npm run bench\` prints the same lines as JSON, one object per line (\`{"name", "unit", "value"}\` plus detail fields); names are stable. Rates are per second of **CPU time** (user + system of the process) where the line says \`"clock":"cpu"\`: time spent waiting for a core on a shared machine does not count, which wall time would. V8's parallel GC threads add to both user and system time, so the explore lines also give user time alone and wall time. min / median / max are over samples; "best" is the fastest sample.

## testkit: the explorer

Each line runs in its own process under plain \`node\` on the built package (\`dist\`, as users get it), warmed up (at least ${(headline?.warmupMs ?? 0) / 1000} s and ${(headline?.warmupSchedules ?? 0).toLocaleString('en-US')} schedules: the JIT keeps optimizing the model for a few thousand), then ${headline?.samples ?? '?'} samples of ${(headline?.schedulesPerSample ?? 0).toLocaleString('en-US')} schedules, sample k from seed k, with no forced GC between them (a forced full GC discards the JIT's optimized code: the samples after one ran 4–5× slower). classicMirror, v6, the scenario's strategy. Value: the median sample in schedules per CPU-second. Every line runs on the heap \`tuneHeapForExploration()\` sets (allocation-site pretenuring off, as the CLI and the long scripts run; see docs/exploring.md), except \`explore.schedules.default-heap\`: the headline on V8's defaults.

${table(['line', 'scenario', 'CPU (median)', 'CPU: min / median / max', 'user CPU only (median)', 'wall: min / median / max', 'verdict'], exploreRows)}

### Two workers

\`explore.schedules.workers-2\` runs \`explore({ workers: 2 })\` on fault-vs-munmap alternating with plain \`explore\` in one process (1 worker, 2 workers, 1 worker, …, the same seeds), by the wall clock (a pool's point is wall time; CPU time adds its threads up).

${workersText}

### Heap over ${heap.schedules.toLocaleString('en-US')} schedules

\`explore.heap\`: one \`explore\` of fault-vs-munmap × classicMirror × v6 over ${heap.schedules.toLocaleString('en-US')} schedules (${heap.seconds} s) after a 5,000-schedule warm-up, heap used after a forced GC at the start, every ${(heap.schedules / 5).toLocaleString('en-US')} schedules from inside the run, and at the end: **${signed(heap.growthPercent)} %** end against start, **${signed(steady)} %** end against the first point after it, once what a run builds once is built (verdict ${heap.verdict}).

${table(['schedules run', 'heap used'], heapRows)}

## core-mm: the concurrency kernel, the primary MMU, reclaim

tinybench: each call is a batch of operations, at least 400 ms per line; the value is batch / mean call latency, the spread per call. Memory lines run a v6 machine with 65 536 frames on a direct task under fifo, with all its bookkeeping, and \`verify\` checks the machine afterwards.

${table(tinyHead, tinyRows(tiny(coreMm, /^(lock|sched)\./)))}

${table(tinyHead, tinyRows(tiny(coreMm, /^(fault|zap|mprotect|fork)/)))}

${table(tinyHead, tinyRows(tiny(coreMm, /^(reclaim|migrate|writeback)/)))}

## core-mm: the model beside the kernel, interleaved

${
  kernelSkipped !== undefined
    ? `Not measured in this run: ${kernelSkipped.reason}.`
    : `\`bench/kernel.ts\` compiles \`bench/kernel-ref.c\` (\`cc -O2\`) and, per operation, alternates ${rounds} times: one kernel sample (the reference program for that operation alone, ≥ 200 ms timed, real memory, \`MADV_NOHUGEPAGE\`), then one model sample (the same operation and batch of 8192 pages, ≥ 200 ms timed). Each ratio is model / kernel of one neighbouring pair; the value is their median by CPU time. "best of N" is the ratio of the two sides' fastest samples (CPU / wall). Kernel read faults here ${readLine?.zeroPage === true ? 'mapped the zero page, as the model does' : readLine?.zeroPage === false ? '**allocated** pages (no zero page on this kernel): that pair does not compare the same work' : 'were not classified'} (\`kernel.fault.anon-read\` \`zeroPage\`: ${String(readLine?.zeroPage)}).

${table(['operation', 'model, CPU: min / median / max', 'kernel, CPU: min / median / max', 'model / kernel (median pair, CPU)', 'pairs, CPU: min / median / max', 'pairs, wall: min / median / max', 'best of N: CPU / wall', 'verify'], kernelRows)}`
}

## mmu-notifier: dispatch and the interval tree

${table(['name', 'value (mean)', 'per call: slowest / median / fastest', 'node visits per invalidation', 'verify'], notifier.filter((l) => l.spread !== undefined).map((l) => [`\`${l.name}\``, `${num(l.value)} ${l.unit}`, spread(l.spread), l.visits ?? '—', l.verify ?? '—']))}
`;

const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
const at = previous.indexOf(MARKER);
const handWritten = at >= 0 ? previous.slice(at + MARKER.length) : '\n';
writeFileSync(out, `${generated}\n${MARKER}${handWritten}`);
console.error(`bench-docs: wrote ${path.relative(process.cwd(), out)}${values.from === undefined ? ` and ${path.relative(process.cwd(), saved)} (${minutes} min)` : ` from ${values.from}`}`);
