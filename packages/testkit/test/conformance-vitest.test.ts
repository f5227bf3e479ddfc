import { classicMirror } from '../src/classic-mirror/index.js';
import { dmirror } from '../src/dmirror/index.js';
import { describeDriverConformance } from '../src/vitest/index.js';

// The suite itself runs as this file's tests: one per scenario × era.
describeDriverConformance({ name: 'classic-mirror', create: () => classicMirror });

// dmirror declares only v6: its 2008-era cases are registered as skipped tests, the reason in their titles.
describeDriverConformance({ name: 'dmirror', create: () => dmirror });
