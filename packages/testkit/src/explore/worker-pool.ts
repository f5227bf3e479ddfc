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
 * Run `body` with a pool of `threads` worker threads (see {@link WorkerPool}) and close
 * the pool afterwards, whether `body` resolved or threw.
 */
export async function withWorkerPool<R>(threads: number, body: (pool: WorkerPool) => Promise<R>): Promise<R> {
  const piscina = new Piscina({
    filename: pathToFileURL(workerFile()).href,
    minThreads: threads,
    maxThreads: threads,
    // Tasks are queued in the parent and handed out one per free thread, lowest index first.
    concurrentTasksPerWorker: 1,
  });
  try {
    const run = async <T extends WorkerTask>(task: T): Promise<WorkerAnswer<T>> => {
      const reply = (await piscina.run(task)) as WorkerReply;
      if ('answer' in reply) return reply.answer as WorkerAnswer<T>;
      const { problem, path: where, message } = reply.refused;
      const prefix = `EINVAL: ${task.caller}: ${where}: `;
      throw new TestkitArgumentError(task.caller, problem, where, message.startsWith(prefix) ? message.slice(prefix.length) : message);
    };
    return await body({ threads, run });
  } finally {
    await piscina.destroy();
  }
}
