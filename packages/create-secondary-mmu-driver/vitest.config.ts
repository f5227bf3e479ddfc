import { packageProject } from '../../test-support/vitest.base.ts';

export default packageProject(import.meta.url, { name: 'create-secondary-mmu-driver' });
