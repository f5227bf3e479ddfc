// The `npm start` demo, until apps/sample exists: core-mm's scheduler and checkers on
// two small kernel-shaped programs, then a notifier callback judged in each era. Runs against the built package.
import { Completion, Machine, MAP, Mutex, PROT, RwSemaphore, formatViolation, pageReferenced, shrinkPage } from '@secondary-mmu/core-mm';
import { MmuNotifier, mmuNotifierRegister, NotifierTrace } from '@secondary-mmu/mmu-notifier';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const line = (s = '') => console.log(s);

/**
 * A driver whose fault path takes mmap_lock then its own dev_lock, and whose
 * invalidate path holds dev_lock while it takes mmap_lock: an AB-BA order.
 */
function program(options) {
  const m = new Machine({ ...options, program: 'demo:mmap_lock-vs-dev_lock' });
  const mmapLock = new RwSemaphore(m, 'mmap_lock');
  const devLock = new Mutex(m, 'dev_lock');
  m.sched.spawn('cpu0:fault', async (t) => {
    await mmapLock.downRead(t);
    await m.sched.yield(t);
    await devLock.lock(t);
    await devLock.unlock(t);
    await mmapLock.upRead(t);
  });
  m.sched.spawn('cpu1:invalidate', async (t) => {
    await devLock.lock(t);
    await m.sched.yield(t);
    await mmapLock.downWrite(t);
    await mmapLock.upWrite(t);
    await devLock.unlock(t);
  });
  return m;
}

line('1. lockdep finds the AB-BA order on a run that did not deadlock (fifo):');
const quiet = await program({}).sched.run();
for (const v of quiet.violations) line(formatViolation(v));
line(`   deadlocked: ${quiet.violations.some((v) => v.kind === 'deadlock')}`);
line();

line('2. the random strategy searches seeds until the order really deadlocks:');
let found;
for (let seed = 1; seed <= 200 && !found; seed++) {
  const r = await program({ seed, schedule: { strategy: 'random', preempt: ['yield', 'lock'] } }).sched.run();
  if (r.violations.some((v) => v.kind === 'deadlock')) found = { seed, r };
}
if (!found) throw new Error('no deadlocking seed in 1..200');
line(`   seed ${found.seed} deadlocks:`);
line(formatViolation(found.r.violations.find((v) => v.kind === 'deadlock')));
line(`   replay token: ${found.r.token}`);
const again = await program({ replay: found.r.token }).sched.run();
line(`   replayed: ${again.violations.map((v) => v.kind).join(', ')} (same token: ${again.token === found.r.token})`);
line();

line("3. the seed thread's question: may invalidate_page() sleep? The same driver callback");
line('   (wait 2 us for a remote partition\'s acknowledgement) while kswapd reclaims a page it mirrors:');
const traces = [];
for (const era of ['rfc-2008', 'v2.6.27', 'v6']) {
  const m = new Machine({ era, program: `demo:sleeping-invalidate:${era}`, memory: { frames: 64 } });
  const app = m.mem.createProcess('app').task('app');
  const file = m.mem.createFile('shared', 4096);
  const a = m.mem.mmap(app, { length: 4096, prot: PROT.read, flags: MAP.shared, file });
  m.mem.read(app, a);
  const pfn = file.pageCache.get(0);
  const heard = [];
  const waitForAck = (t, what) => {
    heard.push(what);
    const ack = new Completion(m, 'remote_ack');
    m.sched.spawn('remote-partition', async (r) => {
      await m.sched.sleep(r, 2000); // the fabric's round trip
      ack.complete();
    });
    const waited = ack.wait(t);
    return waited instanceof Promise ? waited : Promise.resolve();
  };
  const xpmem = new MmuNotifier(
    {
      invalidatePage: (t) => waitForAck(t, 'invalidate_page'),
      invalidateRangeStart: (t, _s, range) => waitForAck(t, `invalidate_range_start(${range.event})`).then(() => 0),
    },
    'xpmem',
  );
  mmuNotifierRegister(app, xpmem, app.mm);
  const trace = NotifierTrace.attach(m);
  pageReferenced(m.mem, m.task('aging'), pfn);
  m.sched.spawn('kswapd', (t) => shrinkPage(m.mem, t, pfn));
  const r = await m.sched.run();
  const splat = r.violations.find((v) => v.kind === 'might-sleep');
  line(`   ${era.padEnd(9)} ${heard.join(', ')}: ${splat ? `BUG: ${splat.message}` : 'waited for the acknowledgement in a blockable range: fine'}`);
  traces.push([era, trace]);
}
line();
line('4. the event trace of those runs, in Chrome trace-event format (open in https://ui.perfetto.dev):');
for (const [era, trace] of traces) {
  const file = path.join(os.tmpdir(), `secondary-mmu-demo-${era}.trace.json`);
  writeFileSync(file, JSON.stringify(trace.toChromeTrace()));
  const c = trace.callbacks[0];
  line(`   ${era.padEnd(9)} ${file}  (${c.callback} by ${c.task}: ${c.duration} ns)`);
}
