import { explore, CONFORMANCE_SCENARIOS, loadConformanceScenario, classicMirror } from '@secondary-mmu/testkit';
const { scenario } = loadConformanceScenario(CONFORMANCE_SCENARIOS.find((s) => s.name === process.argv[4] ?? 'fault-vs-munmap'));
const w = Number(process.argv[2]); const n = Number(process.argv[3] ?? 400);
const t = performance.now(); const c = process.cpuUsage();
const r = await explore(scenario, { driver: w === 1 ? classicMirror : { module: '@secondary-mmu/testkit', export: 'classicMirror' }, era: 'v6', schedules: n, workers: w });
const cu = process.cpuUsage(c);
console.log('workers', w, 'n', n, r.schedules, 'wall', ((performance.now() - t) / 1000).toFixed(2), 'cpu', ((cu.user + cu.system) / 1e6).toFixed(2), 'load', (await import('node:os')).loadavg()[0].toFixed(1));
