/**
 * The first stack frame outside the model: where a violation's caller is. Captured
 * only when something is reported, never on a hot path.
 */
export function captureSite(): string {
  return new LazySite().toString();
}

/**
 * A call site captured now and formatted when first read. V8 records the frames at
 * capture but builds the text only on the first read of `stack`, and the text is the
 * expensive part: lockdep records a site for every new dependency of every machine,
 * and reads one only for a report. Kernel counterpart: the stack trace `lockdep`
 * saves with each dependency (`save_trace()`), printed only in a splat.
 */
export class LazySite {
  private readonly holder: { stack?: string } = {};
  private text: string | undefined;

  constructor() {
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    Error.captureStackTrace(this.holder, LazySite);
    Error.stackTraceLimit = saved;
  }

  /** The first frame outside the model, `unknown` if every frame is the model's. */
  toString(): string {
    this.text ??= firstOutsideModel(this.holder.stack ?? '');
    return this.text;
  }
}

function firstOutsideModel(stack: string): string {
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
