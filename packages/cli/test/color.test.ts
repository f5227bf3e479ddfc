import { describe, expect, it } from 'vitest';
import { colorWanted } from '../src/output/io.js';

describe('colour', () => {
  it('is on only on a terminal by default, and not because CI is set', () => {
    expect(colorWanted({}, [], true)).toBe(true);
    expect(colorWanted({}, [], false)).toBe(false);
    expect(colorWanted({ CI: 'true' }, [], false)).toBe(false);
  });

  it('NO_COLOR and --no-color win over FORCE_COLOR and a terminal; FORCE_COLOR=0 is off', () => {
    expect(colorWanted({ NO_COLOR: '', FORCE_COLOR: '1' }, [], true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: '1' }, ['--no-color'], true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: '1' }, [], false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, [], true)).toBe(false);
  });
});
