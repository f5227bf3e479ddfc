// Allowed: node built-ins and other kernel/ files.
import type { EventEmitter } from 'node:events';
import type { Task } from './task.js';

export type Lock = [EventEmitter, Task];
