// @ts-check
// Layering rules for the workspace: `npm run check:layers`, which `npm test` runs first
// (after `npm run test:layers`, the rules' own test on scripts/layers-fixture: change
// the two together). It cruises the src/ of every package and app; tests and benches
// are not checked.

/**
 * Workspace packages and the workspace packages their src may import, by package name.
 * A package not listed here (and not in UNRESTRICTED) fails the check as soon as it
 * imports another workspace package: give it a place here first.
 */
const LAYERS = {
  'core-mm': [],
  'mmu-notifier': ['core-mm'],
  testkit: ['core-mm', 'mmu-notifier'],
  // The drivers: the model and the notifier API. Their tests may use testkit, but tests
  // are not cruised; their src may not, and no driver builds on another.
  'kvm-spte': ['core-mm', 'mmu-notifier'],
  gru: ['core-mm', 'mmu-notifier'],
  'xpmem-messaging': ['core-mm', 'mmu-notifier'],
  // The scaffolder: its src imports no workspace package (its templates are not src).
  'create-secondary-mmu-driver': [],
};

/** Packages on top of everything (apps/* too): they may import any workspace package. */
const UNRESTRICTED = ['cli'];

/**
 * What an import of one of `names` looks like in the cruise: a path into the package's
 * folder (resolved through the node_modules symlink, to dist/ once built) or, before
 * the build, the unresolved package name itself.
 * @param {readonly string[]} names
 */
function workspacePackage(names) {
  const alt = names.join('|');
  return `^(packages/(${alt})/|@secondary-mmu/(${alt})(/|$))`;
}

const ANY_WORKSPACE_PACKAGE = '^(packages/|apps/|@secondary-mmu/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Import cycles (type-only imports included) make module order and initialisation fragile, ' +
        'defeat tree-shaking and mean the layers below are not really below. Break the cycle: move ' +
        'the shared piece down a layer or pass it in.',
      severity: 'error',
      from: { path: '^(packages|apps)/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-is-self-contained',
      comment:
        "core-mm's concurrency kernel (src/kernel/: scheduler, locks, checkers, utilities, errors) " +
        'is the bottom layer and knows nothing of the memory model or the machine built on it. ' +
        'Only other kernel/ files, npm packages and node built-ins may be imported from there.',
      severity: 'error',
      from: { path: '^packages/core-mm/src/kernel/' },
      to: {
        pathNot: ['^packages/core-mm/src/kernel/', '(^|/)node_modules/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'mm-below-machine',
      comment:
        "core-mm's memory model (src/mm/) is what the machine (src/machine.ts) and the experiments " +
        '(src/experiments/) are assembled from; it may not import them back.',
      severity: 'error',
      from: { path: '^packages/core-mm/src/mm/' },
      to: { path: ['^packages/core-mm/src/machine\\.ts$', '^packages/core-mm/src/experiments/'] },
    },
    ...Object.entries(LAYERS).map(([name, allowed]) => ({
      name: `layer-${name}`,
      comment:
        allowed.length === 0
          ? `${name} is the bottom package: its src imports no other workspace package.`
          : `${name}'s src may import only these workspace packages: ${allowed.join(', ')}.`,
      severity: /** @type {const} */ ('error'),
      from: { path: `^packages/${name}/src/` },
      to: { path: ANY_WORKSPACE_PACKAGE, pathNot: workspacePackage([name, ...allowed]) },
    })),
    {
      name: 'layer-unlisted-package',
      comment:
        'This package has no place in the layer table (LAYERS in .dependency-cruiser.cjs) yet, ' +
        'so which workspace packages it may import is undecided: add it there.',
      severity: 'error',
      from: {
        path: '^packages/[^/]+/src/',
        pathNot: `^packages/(${[...Object.keys(LAYERS), ...UNRESTRICTED].join('|')})/`,
      },
      to: { path: ANY_WORKSPACE_PACKAGE },
    },
    {
      name: 'no-relative-import-out-of-package',
      comment:
        "A relative import that leaves its package bypasses the other package's exports (and " +
        'breaks once published). Import another workspace package by its name (@secondary-mmu/...).',
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      // 'aliased': an import by package name that resolves, through the workspace symlink in
      // node_modules, to the package's folder. That is the right way; only relative ones count.
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased'], pathNot: '^$1/$2/' },
    },
  ],
  options: {
    // Workspace packages resolve (through node_modules) to their dist/: note the import,
    // do not cruise the build output.
    doNotFollow: { path: ['(^|/)node_modules/', '^(packages|apps)/[^/]+/dist/'] },
    // Count type-only imports (`import type`, re-exported types): without this, type-only
    // cycles and layer breaches pass unseen.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
