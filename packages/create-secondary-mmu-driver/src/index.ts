/**
 * `npm create secondary-mmu-driver`: scaffold a secondary-MMU driver package for the
 * secondary-mmu-sdk model. The command is the package's `bin`; this entry exposes the
 * same as functions, for tools that generate drivers.
 *
 * @packageDocumentation
 */
export { CreateError, isCreateError, type CreateProblem } from './errors.js';
export { checkPackageName, nameFromDirectory } from './package-name.js';
export { driverPackageJson } from './package-json.js';
export { EXIT, main, type CreateIo } from './program.js';
export { clackPrompter, type Choice, type Prompter } from './prompter.js';
export { createDriverPackage, type CreatedPackage, type CreateOptions } from './scaffold.js';
export { DEV_PACKAGES, RUNTIME_PACKAGES, sdkVersions } from './sdk-versions.js';
export { parseTemplate, TEMPLATE_DESCRIPTIONS, TEMPLATE_NAMES, templatesDir, type TemplateName } from './templates.js';
