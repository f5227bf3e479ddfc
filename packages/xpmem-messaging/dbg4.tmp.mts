import { moveAwayProgram } from './test/support/end-only.ts';
import { xpmem } from './src/index.ts';
import { xpmemEndOnly } from './src/variants/index.ts';
for (const [f, era, trig] of [[xpmemEndOnly,'v6','punch-hole'],[xpmemEndOnly,'v6','truncate'],[xpmemEndOnly,'rfc-2008','swap-then-write'],[xpmemEndOnly,'rfc-2008','truncate'],[xpmemEndOnly,'rfc-2008','punch-hole'],[xpmem,'v6','punch-hole'],[xpmem,'v6','truncate'],[xpmem,'rfc-2008','swap-then-write']] as const) {
  const r = await moveAwayProgram(f, era, trig);
  console.log(f.name, era, trig, r.importerRead, r.ownerRead, r.run.violations.map(v=>v.kind+': '+v.message.slice(0,200)));
}
