import { afterEach, describe, expect, it } from 'vitest';
import { commandName } from '../src/output/command-name.js';

describe('the command the CLI suggests', () => {
  const saved = process.env.SECONDARY_MMU_COMMAND;
  afterEach(() => {
    if (saved === undefined) delete process.env.SECONDARY_MMU_COMMAND;
    else process.env.SECONDARY_MMU_COMMAND = saved;
  });

  it('is secondary-mmu once installed, and what the checkout runs it by when it says so', () => {
    delete process.env.SECONDARY_MMU_COMMAND;
    expect(commandName()).toBe('secondary-mmu');
    process.env.SECONDARY_MMU_COMMAND = 'npm run cli --';
    expect(commandName()).toBe('npm run cli --');
  });
});
