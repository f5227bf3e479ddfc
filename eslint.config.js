// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Root flat config. Each package runs `eslint .` from its own directory;
// ESLint searches upward and finds this file.
export default defineConfig(
  {
    // .mutants: template-bugs.test.ts copies templates there while lint may be running.
    ignores: ['**/dist/**', 'docs/api/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', '**/.mutants/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // One runtime for both entries: an ESM and a CommonJS copy of a package in one
    // process have two of each class, and `instanceof` answers for one copy only. Our
    // own classes are told apart by brand (docs/packages.md); built-ins are one per realm.
    files: ['packages/*/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator='instanceof'][right.name!=/^(Promise|Error|Uint8Array)$/]",
          message: 'instanceof is false for an object of the other copy (ESM vs CommonJS): use a brand check (isAnonVma, isInode, isSmmuError, hasBrand) — see docs/packages.md',
        },
      ],
    },
  },
  {
    // Plain JS and tool config files are not covered by a tsconfig: lint them
    // without type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.config.ts', '*.config.base.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { ...globals.node },
    },
  },
);
