import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { memoryIo, type Io } from '../src/output/io.js';
import { startProgress } from '../src/output/progress.js';

/** A terminal-like stream that keeps what is drawn. */
function fakeTerminal(): { stream: NodeJS.WriteStream; drawn: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const stream = Object.assign(w, { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true }) as unknown as NodeJS.WriteStream;
  return { stream, drawn: () => chunks.join('') };
}

describe('the progress bar', () => {
  it('draws on a terminal, and never with --json or off a terminal', () => {
    const t = fakeTerminal();
    const tty: Io = { ...memoryIo(), isTTY: true, progressStream: t.stream };
    const bar = startProgress(tty, 3, 'compare', false);
    expect(bar.active).toBe(true);
    bar.tick();
    bar.stop();
    expect(t.drawn()).toMatch(/compare \[/);
    expect(startProgress(tty, 3, 'compare', true).active).toBe(false);
    expect(startProgress({ ...tty, isTTY: false }, 3, 'compare', false).active).toBe(false);
  });
});
