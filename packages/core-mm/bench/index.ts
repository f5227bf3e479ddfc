/**
 * core-mm benchmarks: one JSON object per line, `{"name", "unit", "value"}` plus
 * detail fields. Names are stable; later steps add theirs in the same format.
 * Each tinybench call does a batch of operations so timer resolution does not
 * dominate; the rate is batch / mean call latency.
 */
import { Bench } from 'tinybench';
import { BitLock, Machine, Mutex, RwSemaphore, SpinLock } from '../src/index.js';

interface Rate {
  name: string;
  unit: string;
  batch: number;
  fn: () => unknown;
  note: string;
}

const BATCH = 10_000;

function direct(): Rate[] {
  const m = new Machine();
  const t = m.task('cpu0');
  const spin = new SpinLock(m, 'ptl');
  const outer = new SpinLock(m, 'mmu_lock');
  const mutex = new Mutex(m, 'mmap_lock');
  const rwsem = new RwSemaphore(m, 'i_mmap_rwsem');
  const flags = new Uint32Array(1024);
  const page = new BitLock(m, 'PG_locked', flags, 0);
  return [
    {
      name: 'lock.spin.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'spin_lock + spin_unlock pairs, direct task, fifo (lockdep and preempt count included)',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void spin.lock(t);
          void spin.unlock(t);
        }
      },
    },
    {
      name: 'lock.spin.nested',
      unit: 'ops/s',
      batch: BATCH,
      note: 'mmu_lock then ptl, both released: one lockdep edge lookup per pair',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void outer.lock(t);
          void spin.lock(t);
          void spin.unlock(t);
          void outer.unlock(t);
        }
      },
    },
    {
      name: 'lock.mutex.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'mutex_lock + mutex_unlock pairs (might-sleep checked), direct task, fifo',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void mutex.lock(t);
          void mutex.unlock(t);
        }
      },
    },
    {
      name: 'lock.rwsem.read.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'down_read + up_read pairs, direct task, fifo',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void rwsem.downRead(t);
          void rwsem.upRead(t);
        }
      },
    },
    {
      name: 'lock.page.uncontended',
      unit: 'ops/s',
      batch: BATCH,
      note: 'lock_page + unlock_page pairs over 1024 frames, direct task, fifo',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          void page.lock(t, i & 1023);
          void page.unlock(t, i & 1023);
        }
      },
    },
  ];
}

const SWITCH_YIELDS = 2_000;

/** Two tasks yielding under `random` (yield class only): the seed fixes the switch count. */
function switching(): Rate {
  const once = async (): Promise<number> => {
    const m = new Machine({ seed: 42, schedule: { strategy: 'random', preempt: ['yield'] } });
    for (const name of ['cpu0', 'cpu1']) {
      m.sched.spawn(name, async (t) => {
        for (let i = 0; i < SWITCH_YIELDS; i++) await m.sched.yield(t);
      });
    }
    return (await m.sched.run()).switches;
  };
  let switches = 0;
  return {
    name: 'sched.switch',
    unit: 'ops/s',
    get batch() {
      return switches;
    },
    note: `scheduled context switches: 2 tasks x ${SWITCH_YIELDS} yields under random (seed 42)`,
    fn: async () => {
      switches = await once();
    },
  };
}

async function main(): Promise<void> {
  const rates = [...direct(), switching()];
  const bench = new Bench({ time: 400, warmup: true, warmupTime: 100 });
  for (const r of rates) bench.add(r.name, r.fn);
  await bench.run();
  for (const r of rates) {
    const task = bench.getTask(r.name);
    const result = task?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${r.name} produced no result`);
    const value = Math.round(r.batch / (result.latency.mean / 1000));
    console.log(JSON.stringify({ name: r.name, unit: r.unit, value, samples: result.latency.samplesCount, note: r.note }));
  }
}

await main();
