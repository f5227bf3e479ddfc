// Which stack frame a captured site names: the first one outside the model (core-mm's
// own source or build, node internals, vitest, anonymous frames), without its "at ".
// The stack's first line is the error's header, never a frame; lines that are not
// frames are skipped; Windows paths are recognised; nothing outside the model: unknown.
import { afterEach, describe, expect, it } from 'vitest';
import { captureSite } from '../../src/index.js';

// The stack formatter in place (vitest's, or none), put back after each capture.
const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
function restore(): void {
  if (saved === undefined) Reflect.deleteProperty(Error, 'prepareStackTrace');
  else Object.defineProperty(Error, 'prepareStackTrace', saved);
}
afterEach(restore);

/** The site captured when the stack reads `stack` (as a stack formatter would make it). */
function siteOf(stack: string | undefined): string {
  Error.prepareStackTrace = () => stack;
  try {
    return captureSite();
  } finally {
    restore();
  }
}

const driver = '    at driver (/app/driver.ts:7:3)';

describe('captureSite: the first frame outside the model', () => {
  it("names the caller's frame, without \"at \"", () => {
    function reportingCaller(): string {
      return captureSite();
    }
    expect(reportingCaller()).toMatch(/^reportingCaller \(.*site-capture-frames\.test\.ts:\d+:\d+\)$/);
  });

  it("skips the model's own frames: source, build, node internals, vitest, anonymous", () => {
    const model = [
      '    at Lockdep.validate (/repo/packages/core-mm/src/kernel/check/lockdep.ts:1:1)',
      '    at Mutex.lock (/repo/node_modules/@secondary-mmu/core-mm/dist/index.js:2:2)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at runTest (/repo/node_modules/vitest/dist/chunk.js:3:3)',
      '    at run (/repo/node_modules/@vitest/runner/dist/index.js:4:4)',
      '    at Array.map (<anonymous>)',
    ];
    expect(siteOf(['Error', ...model, driver].join('\n'))).toBe('driver (/app/driver.ts:7:3)');
    for (const frame of model) expect(siteOf(['Error', frame, driver].join('\n'))).toBe('driver (/app/driver.ts:7:3)');
    expect(siteOf(['Error', driver, model[0]].join('\n'))).toBe('driver (/app/driver.ts:7:3)');
  });

  it('recognises the model on Windows paths', () => {
    const stack = ['Error', '    at Lockdep.validate (C:\\repo\\packages\\core-mm\\src\\kernel\\check\\lockdep.ts:1:1)', '    at driver (C:\\app\\driver.ts:7:3)'];
    expect(siteOf(stack.join('\n'))).toBe('driver (C:\\app\\driver.ts:7:3)');
  });

  it("the first line is the error's header, whatever it reads", () => {
    expect(siteOf(['at header (/app/header.ts:1:1)', driver].join('\n'))).toBe('driver (/app/driver.ts:7:3)');
  });

  it('skips lines that are not frames', () => {
    expect(siteOf(['Error', '    a note a formatter added', driver].join('\n'))).toBe('driver (/app/driver.ts:7:3)');
  });

  it('unknown when every frame is the model, or there is no stack', () => {
    expect(siteOf(['Error', '    at f (/repo/packages/core-mm/src/mm/verify.ts:1:1)', '    at Array.map (<anonymous>)'].join('\n'))).toBe('unknown');
    expect(siteOf('Error')).toBe('unknown');
    expect(siteOf(undefined)).toBe('unknown');
  });
});
