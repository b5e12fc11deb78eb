// The selector factory contract: a type name, zod params (parsed once, at config load), a constructor.
import type { z } from 'zod';
import type { SelectionContext, Selector } from './types.js';
import { SelectionError } from './errors.js';

export interface SelectorDeps {
  /** Directory of the config file; relative paths in params (model_path) resolve against it. */
  configDir: string;
}

export interface SelectorFactory<P = unknown> {
  /** Algorithm type as written in YAML, e.g. `multi_factor`. */
  type: string;
  aliases?: string[];
  /** Validates `algorithm.<type>` (or `{}` when absent). */
  params: z.ZodType<P>;
  /** Builds the selector from params already parsed by `params` (the loaded config carries them). */
  create(params: P, deps: SelectorDeps): Selector | Promise<Selector>;
}

/** Looks a factory up by type or alias (injected into composite selectors to avoid an import cycle). */
export type FactoryLookup = (type: string) => SelectorFactory | undefined;

/** Throws when the router handed a selector no candidates. */
export function requireCandidates(ctx: SelectionContext, type: string): void {
  if (ctx.candidates.length === 0) {
    throw new SelectionError('NO_CANDIDATES', `${type}: decision ${ctx.decision} has no candidate models`);
  }
}
