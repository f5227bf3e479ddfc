/**
 * The real kernel beside the model: compile bench/kernel-ref.c with the system C
 * compiler, run it on this machine with the model's batch size, print its
 * `kernel.`-prefixed lines, then one `ratio.<name>` line (model / kernel) per
 * benchmark both sides measured. Without a C compiler, one `kernel.skipped` line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One benchmark result line. */
export interface BenchLine {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly [detail: string]: unknown;
}

/** How the reference program runs. */
export interface KernelOptions {
  /** Pages per batch: the model's batch size, so both sides do the same amount of work per call. */
  readonly pages: number;
  /** Timed milliseconds per benchmark at least. */
  readonly minMs: number;
}

/** The goals: model / kernel at least this much. */
const GOALS: Readonly<Record<string, number>> = { 'fault.anon-write': 2, 'zap.madv-dontneed': 1 };

const SOURCE = fileURLToPath(new URL('./kernel-ref.c', import.meta.url));

function emit(line: BenchLine): BenchLine {
  console.log(JSON.stringify(line));
  return line;
}

function skipped(reason: string): BenchLine[] {
  return [emit({ name: 'kernel.skipped', unit: 'none', value: 0, reason })];
}

/** Run the reference program and print its lines and the ratios against `model`. */
export function runKernelReference(model: readonly BenchLine[], options: KernelOptions): BenchLine[] {
  const probe = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return skipped('no C compiler');
  const dir = mkdtempSync(path.join(tmpdir(), 'kernel-ref-'));
  try {
    const bin = path.join(dir, 'kernel-ref');
    const built = spawnSync('cc', ['-O2', '-o', bin, SOURCE], { encoding: 'utf8' });
    if (built.status !== 0) return skipped(`cc failed: ${(built.stderr || built.error?.message || '').trim().split('\n')[0] ?? ''}`);
    const run = spawnSync(bin, [String(options.pages), String(options.minMs)], { encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) return skipped(`kernel-ref failed (status ${String(run.status)}): ${(run.stderr || run.error?.message || '').trim()}`);
    const kernel: BenchLine[] = [];
    for (const text of run.stdout.split('\n')) {
      if (text.trim() === '') continue;
      let line: BenchLine;
      try {
        line = JSON.parse(text) as BenchLine;
      } catch {
        return [...kernel, ...skipped(`kernel-ref printed a line that is not JSON: ${text}`)];
      }
      kernel.push(emit(line));
    }
    const out = [...kernel];
    for (const k of kernel) {
      const name = k.name.slice('kernel.'.length);
      const m = model.find((l) => l.name === name && l.unit === k.unit);
      if (m === undefined || k.value <= 0) continue;
      const value = Number((m.value / k.value).toPrecision(3));
      const goal = GOALS[name];
      out.push(emit({ name: `ratio.${name}`, unit: 'model/kernel', value, ...(goal === undefined ? {} : { goal, met: value >= goal }) }));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
