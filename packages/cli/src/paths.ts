// Files the CLI ships with, located relative to this module (same depth in src/ and dist/).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The package root (packages/cli). */
export const cliRoot = path.resolve(here, '..');

/** Bundled default config: the seed's three cards and its MoM decision. */
export const defaultConfigPath = path.join(cliRoot, 'config', 'default.yaml');

/** The repository root (packages/cli/../..). */
export const repoRoot = path.resolve(cliRoot, '..', '..');
