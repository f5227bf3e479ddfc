import { SingleBar, Presets } from 'cli-progress';
import type { Io } from './io.js';

/** A progress indication: `tick` after each unit of work, `stop` at the end. Kernel counterpart: none. */
export interface Progress {
  /** False when nothing is drawn (not a terminal, or JSON output). */
  readonly active: boolean;
  tick(label?: string): void;
  stop(): void;
}

const SILENT: Progress = { active: false, tick: () => {}, stop: () => {} };

/**
 * A progress bar of `total` units on stderr, only when the terminal is one and the
 * output is not JSON (`--json` output stays machine-readable; a pipe or CI log gets no
 * redraws). Otherwise a progress that draws nothing. Kernel counterpart: none.
 */
export function startProgress(io: Io, total: number, title: string, json: boolean): Progress {
  if (!io.isTTY || json || io.progressStream === undefined || total < 1) return SILENT;
  const bar = new SingleBar({ format: `${title} [{bar}] {value}/{total} {label}`, stream: io.progressStream, clearOnComplete: true, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { label: '' });
  return {
    active: true,
    tick: (label = '') => bar.increment(1, { label }),
    stop: () => bar.stop(),
  };
}
