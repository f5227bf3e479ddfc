import { isBadInput } from './cli-error.js';

/** A run that never finished because the driver threw outside a callback (its `attach`, say). Kernel counterpart: none (an oops in the driver's probe). */
export interface DriverThrew {
  readonly threw: string;
}

/**
 * `run()`, or what the driver threw when the run could not be made: a driver that throws
 * where the testkit cannot record it as a violation (its `attach`) fails the run, it is
 * no bug of the CLI. Bad input still throws. Kernel counterpart: none.
 */
export async function catchDriverThrow<T>(run: () => Promise<T>): Promise<T | DriverThrew> {
  try {
    return await run();
  } catch (error) {
    if (isBadInput(error)) throw error;
    return { threw: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

/** True for a {@link DriverThrew}. Kernel counterpart: none. */
export function isDriverThrew(value: unknown): value is DriverThrew {
  return typeof value === 'object' && value !== null && typeof (value as { threw?: unknown }).threw === 'string' && Object.keys(value).length === 1;
}
