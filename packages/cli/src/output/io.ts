import pc from 'picocolors';

/** The colour functions a command uses (picocolors' shape). Kernel counterpart: none. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Where a command writes: its lines, its errors, whether stdout is a terminal (the
 * progress bar shows only then) and the colours to use (none under `NO_COLOR`). Tests
 * pass one that collects the text. Kernel counterpart: none (model machinery).
 */
export interface Io {
  /** Write to stdout (the text includes its newlines). */
  out(text: string): void;
  /** Write to stderr. */
  err(text: string): void;
  /** stdout is a terminal: progress may be drawn (on stderr). */
  readonly isTTY: boolean;
  readonly color: Colors;
  /** The progress bars' stream, when {@link isTTY}. */
  readonly progressStream?: NodeJS.WriteStream;
}

/**
 * The process's own streams. Colour: off with `NO_COLOR` set (any value) or
 * `--no-color`, on with `FORCE_COLOR` (not `0`), else only when stdout is a terminal —
 * not picocolors' own guess, which also colours any run with `CI` set, so a CI log or a
 * pipe read by a script got escape codes. Kernel counterpart: none.
 */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
    color: pc.createColors(colorWanted(process.env, process.argv, process.stdout.isTTY === true)),
    progressStream: process.stderr,
  };
}

/** An {@link Io} that collects what is written, without colour or terminal (for tests and embedding). Kernel counterpart: none. */
export function memoryIo(): Io & { readonly stdout: () => string; readonly stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    isTTY: false,
    color: pc.createColors(false),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Whether to colour: `NO_COLOR` or `--no-color` wins, then `FORCE_COLOR` (not `0`), else a terminal. Kernel counterpart: none. */
export function colorWanted(env: NodeJS.ProcessEnv, argv: readonly string[], isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined || argv.includes('--no-color')) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return isTTY;
}
