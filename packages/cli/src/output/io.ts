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
 * The process's own streams. Colour follows picocolors' detection: off with `NO_COLOR`
 * set (any value) or `--no-color`, on with `FORCE_COLOR`, else when stdout is a terminal.
 * Kernel counterpart: none.
 */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
    color: pc.createColors(pc.isColorSupported),
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
