// SmmuError.answer: the model's answers to simulated accesses (EFAULT, SIGSEGV) carry
// no JavaScript stack — they are the normal flow of a run, thrown on its hot path —
// and are otherwise the same errors; misuse keeps its stack.
import { describe, expect, it } from 'vitest';
import { isSmmuError, Machine, SmmuError } from '../../src/index.js';
import { PAGE_SIZE } from '../../src/mm/layout.js';

describe('SmmuError.answer', () => {
  it('is an SmmuError with its code and message, and no stack frames', () => {
    const e = SmmuError.answer('EFAULT', 'dev: read: handle 3 was dropped');
    expect(e).toBeInstanceOf(SmmuError);
    expect(isSmmuError(e, 'EFAULT')).toBe(true);
    expect(e.message).toBe('EFAULT: dev: read: handle 3 was dropped');
    expect(e.stack).toBe('SmmuError: EFAULT: dev: read: handle 3 was dropped');
  });

  it('leaves Error.stackTraceLimit as it found it', () => {
    const saved = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 7;
      SmmuError.answer('SIGSEGV', 'x');
      expect(Error.stackTraceLimit).toBe(7);
      expect(new Error('later').stack).toContain('\n    at ');
    } finally {
      Error.stackTraceLimit = saved;
    }
  });

  it("a CPU access's SIGSEGV is an answer; a misuse (EINVAL) keeps the caller's stack", () => {
    const m = new Machine();
    const t = m.mem.createProcess('p').task('t');
    let segv: unknown;
    try {
      void m.mem.write(t, -PAGE_SIZE, 1); // not a user address: SEGV_MAPERR
    } catch (e) {
      segv = e;
    }
    expect(isSmmuError(segv, "SIGSEGV"), String(segv)).toBe(true);
    expect((segv as Error).stack).not.toContain('\n    at ');
    let misuse: unknown;
    try {
      void m.mem.write(t, 0, -1); // not a 32-bit word: EINVAL
    } catch (e) {
      misuse = e;
    }
    expect(isSmmuError(misuse, "EINVAL"), String(misuse)).toBe(true);
    expect((misuse as Error).stack).toContain('answer-error.test.ts');
  });
});
