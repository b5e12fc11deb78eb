// Nested selector specs `{ type, params }` used by the composite selectors (hybrid, session_aware).
// The nested params are validated by the nested factory's own schema, with issue paths kept.
import { z } from 'zod';
import type { Selector } from './types.js';
import type { FactoryLookup, SelectorDeps } from './factory.js';

/** Zod schema of `{ type, params? }` whose params are checked against `lookup(type).params`. */
export function subSelectorSpec(lookup: FactoryLookup, exclude: string[]) {
  return z
    .object({ type: z.string(), params: z.unknown().optional() })
    .superRefine((spec, ctx) => {
      const factory = lookup(spec.type);
      if (!factory || exclude.includes(factory.type)) {
        ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown or unsupported nested selector type "${spec.type}"` });
        return;
      }
      const parsed = factory.params.safeParse(spec.params ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
        }
      }
    });
}

export type SubSelectorSpec = { type: string; params?: unknown };

/** Creates the nested selector of a spec already validated by `subSelectorSpec`. */
export async function createSubSelector(lookup: FactoryLookup, spec: SubSelectorSpec, deps: SelectorDeps): Promise<Selector> {
  const factory = lookup(spec.type);
  if (!factory) throw new Error(`unknown selector type "${spec.type}"`);
  return factory.create(factory.params.parse(spec.params ?? {}), deps);
}
