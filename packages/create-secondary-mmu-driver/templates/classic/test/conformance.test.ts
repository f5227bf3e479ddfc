// The conformance suite: one test per scenario × era the driver declares. A failure
// names the violation and a replay token (see the README).
import { describeDriverConformance } from '@secondary-mmu/testkit/vitest';
import { driver } from '../src/index.js';

describeDriverConformance({ name: driver.name, create: () => driver });
