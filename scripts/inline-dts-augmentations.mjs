// Completes forward declarations in a package's bundled type declarations.
//
// The concurrency kernel declares `Task.mm` as an opaque `TaskMm` and the memory model
// completes it with a module augmentation (`declare module '../kernel/sched/task.js'`),
// as C completes `struct mm_struct;`. The dts bundler keeps that augmentation verbatim,
// but in the one-file bundle its relative path names no module, so a consumer would see
// the opaque type. Both declarations live in the bundle's one scope, so unwrapping the
// block makes them merge as they did in the sources.
//
// Usage (from a package directory, after tsup): node ../../scripts/inline-dts-augmentations.mjs
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve('dist');
const block = /^declare module '\.{1,2}\/[^']+' \{\n([\s\S]*?)^\}\n/gm;
for (const name of fs.readdirSync(dist)) {
  if (!/\.d\.c?ts$/.test(name)) continue;
  const file = path.join(dist, name);
  const text = fs.readFileSync(file, 'utf8');
  const out = text.replace(block, (_, body) => body.replace(/^ {4}/gm, ''));
  if (/^declare module '\./m.test(out)) throw new Error(`${file}: an augmentation of a relative module is left`);
  if (out !== text) fs.writeFileSync(file, out);
}
