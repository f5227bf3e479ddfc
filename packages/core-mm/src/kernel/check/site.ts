/**
 * The first stack frame outside the model: where a violation's caller is. Captured
 * only when something is reported, or once per lock dependency per process (lockdep's
 * dependency sites), never per run on a hot path.
 */
export function captureSite(): string {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  // Stryker disable next-line StringLiteral: any one-line text reads as no stack (its only line, the header, is skipped): unknown
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  for (const raw of stack.split('\n').slice(1)) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    if (isModelFrame(line)) continue;
    return line.slice(3);
  }
  return 'unknown';
}

const MODEL_PATHS = ['/core-mm/src/', '/core-mm/dist/', 'node:internal', '/node_modules/vitest', '/node_modules/@vitest'];

function isModelFrame(line: string): boolean {
  const normalized = line.replaceAll('\\', '/');
  return MODEL_PATHS.some((p) => normalized.includes(p)) || normalized.includes('(<anonymous>)');
}
