// The `npm start` demo, until apps/sample exists: core-mm's scheduler and checkers on
// three small kernel-shaped programs. Runs against the built package.
import { Completion, Machine, Mutex, RwSemaphore, SpinLock, formatViolation } from '@secondary-mmu/core-mm';

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

line("3. the seed thread's question: may invalidate_page() sleep under the PT lock?");
const m = new Machine({ program: 'demo:sleeping-invalidate' });
const ptl = new SpinLock(m, 'ptl');
const ack = new Completion(m, 'remote_ack');
m.sched.spawn('kswapd', async (t) => {
  await ptl.lock(t); // try_to_unmap_one holds the PT lock around the hook
  await ack.wait(t); // a message-passing driver waits for its remote acknowledgement
  await ptl.unlock(t);
});
m.sched.spawn('remote-partition', (t) => {
  void t;
  ack.complete();
});
const slept = await m.sched.run();
for (const v of slept.violations) line(formatViolation(v));
