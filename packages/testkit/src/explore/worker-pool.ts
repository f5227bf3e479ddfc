import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { TestkitArgumentError } from '../arguments.js';
import type { WorkerAnswer, WorkerReply, WorkerTask } from './worker-task.js';

/**
 * The built worker entry, found through the package's own name so that the same path
 * serves the built package and its sources under a test runner: workers always run
 * built JavaScript. A CommonJS caller gets the CommonJS build, so that the worker runs
 * the very code the caller does (a replay token fingerprints the task bodies' text).
 */
function workerFile(): string {
  const manifest = createRequire(import.meta.url).resolve('@secondary-mmu/testkit/package.json');
  const file = path.join(path.dirname(manifest), 'dist', import.meta.url.endsWith('.cjs') ? 'explore-worker.cjs' : 'explore-worker.js');
  if (!existsSync(file)) throw new Error(`the explorer's worker threads run the built package, and ${file} is missing: build @secondary-mmu/testkit first (npm run build)`);
  return file;
}

/**
 * A pool of `threads` worker threads that run {@link WorkerTask}s. Kernel counterpart:
 * none (model machinery).
 */
export interface WorkerPool {
  /** Run one task on the next free thread. */
  run<T extends WorkerTask>(task: T): Promise<WorkerAnswer<T>>;
  /** The number of threads. */
  readonly threads: number;
}

/**
 * The pools kept between explorations, one per thread count and worker file: a new
 * pool's threads start cold (each imports the packages and the driver, and its JIT
 * warms up over the first thousand schedules), which costs more than a short
 * exploration's whole run. Piscina unreferences an idle thread, so a kept pool never
 * holds the process open.
 */
const pools = new Map<string, Piscina>();

function poolOf(threads: number): Piscina {
  const filename = pathToFileURL(workerFile()).href;
  const key = `${threads} ${filename}`;
  let piscina = pools.get(key);
  if (piscina === undefined) {
    piscina = new Piscina({
      filename,
      minThreads: threads,
      maxThreads: threads,
      // Tasks are queued in the parent and handed out one per free thread, lowest index first.
      concurrentTasksPerWorker: 1,
    });
    pools.set(key, piscina);
  }
  return piscina;
}

/**
 * Close the worker threads explorations keep between runs (`explore` and `checkDriver`
 * with `workers` above 1) and return how many there were. Never needed for a process
 * to exit — idle threads do not hold it — but a long-lived process (a watch-mode test
 * runner, a server) may want the memory back; the next exploration with workers
 * starts new ones. Kernel counterpart: none (model machinery).
 */
export async function closeExplorerThreads(): Promise<number> {
  const closing = [...pools.values()];
  pools.clear();
  let threads = 0;
  for (const piscina of closing) {
    threads += piscina.threads.length;
    await piscina.destroy();
  }
  return threads;
}

/**
 * Run `body` with a pool of `threads` worker threads (see {@link WorkerPool}): the
 * process's pool of that size, kept warm for the next exploration (idle, its threads
 * do not keep the process alive).
 */
export async function withWorkerPool<R>(threads: number, body: (pool: WorkerPool) => Promise<R>): Promise<R> {
  const piscina = poolOf(threads);
  const run = async <T extends WorkerTask>(task: T): Promise<WorkerAnswer<T>> => {
    const reply = (await piscina.run(task)) as WorkerReply;
    if ('answer' in reply) return reply.answer as WorkerAnswer<T>;
    const { problem, path: where, message } = reply.refused;
    const prefix = `EINVAL: ${task.caller}: ${where}: `;
    throw new TestkitArgumentError(task.caller, problem, where, message.startsWith(prefix) ? message.slice(prefix.length) : message);
  };
  return body({ threads, run });
}
