// The run's random streams: fixed per seed (recorded tokens and pinned schedules rely
// on it), the workload and faults streams jumps of the schedule's start, made on first
// use and the same whichever is asked for first or how much `schedule` has drawn.
import { describe, expect, it } from 'vitest';
import { Machine, type Rng } from '../../src/index.js';

const draws = (r: Rng): number[] => [0, 1, 2, 3].map(() => r.int(0, 1_000_000));

// First draws of each stream, recorded when every stream was jumped at construction.
const RECORDED = {
  1: { schedule: [535983, 437552, 187281, 432188], workload: [300925, 770679, 898089, 780273], faults: [636907, 480011, 25992, 468516] },
  42: { schedule: [903972, 877026, 370519, 852057], workload: [137630, 676778, 459368, 410596], faults: [39184, 410036, 137864, 895780] },
} as const;

describe('RngStreams', () => {
  for (const seed of [1, 42] as const) {
    it(`seed ${seed}: the recorded first draws of schedule, workload and faults`, () => {
      const m = new Machine({ seed });
      expect({ schedule: draws(m.rng.schedule), workload: draws(m.rng.workload), faults: draws(m.rng.faults) }).toEqual(RECORDED[seed]);
    });
  }

  it('faults asked first, after the schedule has drawn, is still two jumps from its start', () => {
    const m = new Machine({ seed: 1 });
    draws(m.rng.schedule);
    draws(m.rng.schedule);
    expect(draws(m.rng.faults)).toEqual(RECORDED[1].faults);
    expect(draws(m.rng.workload)).toEqual(RECORDED[1].workload);
    expect(m.rng.faults).toBe(m.rng.faults);
  });
});
