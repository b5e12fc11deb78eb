// Nested selector specs `{ type, params }` used by the composite selectors (hybrid, session_aware).
// The nested params are parsed by the nested factory's own schema as part of the outer parse (issue
// paths kept), so a composite selector is created from params that are never parsed again.
import { z } from 'zod';
import type { Selector } from './types.js';
import type { FactoryLookup, SelectorDeps } from './factory.js';

/** A nested spec after parsing: the canonical type and its parsed (defaulted) params. */
export type SubSelectorSpec = { type: string; params: unknown };

/** Zod schema of `{ type, params? }` whose params are parsed by `lookup(type).params`. */
export function subSelectorSpec(lookup: FactoryLookup, exclude: string[]) {
  return z
    .object({ type: z.string(), params: z.unknown().optional() })
    .transform((spec, ctx): SubSelectorSpec => {
      const factory = lookup(spec.type);
      if (!factory || exclude.includes(factory.type)) {
        ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown or unsupported nested selector type "${spec.type}"` });
        return z.NEVER;
      }
      const parsed = factory.params.safeParse(spec.params ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
        }
        return z.NEVER;
      }
      return { type: factory.type, params: parsed.data };
    });
}

/** Creates the nested selector of a spec parsed by `subSelectorSpec`. */
export async function createSubSelector(lookup: FactoryLookup, spec: SubSelectorSpec, deps: SelectorDeps): Promise<Selector> {
  const factory = lookup(spec.type);
  if (!factory) throw new Error(`unknown selector type "${spec.type}"`);
  return factory.create(spec.params, deps);
}
