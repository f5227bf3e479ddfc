import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';
import type { Mm } from './mm-types.js';

/** A process: an address space and the tasks running in it. */
export class Process {
  readonly pid: number;
  readonly name: string;
  readonly kernel: Kernel;
  /** Null once the process has exited. */
  mm: Mm | null;
  readonly tasks: Task[] = [];

  constructor(kernel: Kernel, pid: number, name: string, mm: Mm) {
    this.kernel = kernel;
    this.pid = pid;
    this.name = name;
    this.mm = mm;
  }

  /** A direct task of this process (`current->mm` set), for plain calls. */
  task(name = `${this.name}/${this.tasks.length}`): Task {
    const t = this.kernel.task(name);
    t.mm = this.mm;
    this.tasks.push(t);
    return t;
  }

  /** A scheduled task of this process, run by `machine.sched.run()`. */
  spawn(name: string, body: (task: Task) => unknown): Task {
    const t = this.kernel.sched.spawn(name, body);
    t.mm = this.mm;
    this.tasks.push(t);
    return t;
  }
}
