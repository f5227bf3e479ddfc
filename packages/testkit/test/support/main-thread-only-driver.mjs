// A driver module that exports its driver only on the main thread: the parent loads it,
// a worker thread finds no DriverFactory there (how a worker's refusal reaches the caller).
import { isMainThread } from 'node:worker_threads';
import { classicMirror } from '@secondary-mmu/testkit';

export const mainThreadMirror = isMainThread ? classicMirror : 'not on a worker thread';
