// Property-based fuzzing of the config loader (fast-check): mutated YAML text and mutated parsed
// objects, starting from the seed user's config and the CLI's default config. Whatever the input,
// the loader either loads or throws a ConfigError whose every issue has a path or a line; it never
// throws anything else, never takes long, and never echoes a value taken from the environment.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parseConfig, validateConfig } from '../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SEEDS = [
  readFileSync(path.join(root, 'test/reference/seed-router-config.yaml'), 'utf8'),
  readFileSync(path.join(root, 'packages/cli/config/default.yaml'), 'utf8'),
];
const SECRET = 'sk-fuzz-5e1f0c2a9b7d';
const env = { API_KEY: SECRET, HOME_DIR: '/home/x' };

/** Fragments that exercise YAML's awkward corners and the loader's own checks. */
const FRAGMENTS = [
  '&a ', '*a', '&a [*a]', '*undefined_anchor', '<<: *a', '{', '}', '[', ']', ': ', '- ', '? ', '|', '>', '!!str ', '!!binary ', '!custom ',
  '%YAML 1.2\n---\n', '---\n', '...\n', '#', '"', "'", '\t', '\n', '  ', '__proto__', 'constructor', 'prototype', '__proto__: {a: 1}',
  '${API_KEY}', '"${API_KEY}"', '${UNSET_VAR}', '${HOME_DIR:-x}', '1e999', '.nan', '-.inf', '0x1F', '~', 'null', 'true', '\u0000', '\uFEFF', 'é',
];

type TextMutation = { kind: 'insert' | 'delete' | 'dupline' | 'swap' | 'indent'; at: number; span: number; frag: string };
const textMutation = fc.record({
  kind: fc.constantFrom<TextMutation['kind']>('insert', 'delete', 'dupline', 'swap', 'indent'),
  at: fc.nat(),
  span: fc.integer({ min: 1, max: 40 }),
  frag: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 })),
});

function mutateText(text: string, muts: TextMutation[]): string {
  let t = text;
  for (const m of muts) {
    const at = t.length === 0 ? 0 : m.at % t.length;
    const lines = t.split('\n');
    const li = lines.length === 0 ? 0 : m.at % lines.length;
    switch (m.kind) {
      case 'insert':
        t = t.slice(0, at) + m.frag + t.slice(at);
        break;
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.span);
        break;
      case 'dupline':
        lines.splice(li, 0, lines[li] ?? '');
        t = lines.join('\n');
        break;
      case 'swap': {
        const lj = (li + m.span) % lines.length;
        [lines[li], lines[lj]] = [lines[lj] ?? '', lines[li] ?? ''];
        t = lines.join('\n');
        break;
      }
      case 'indent':
        lines[li] = (m.span % 2 === 0 ? '  ' : '') + (lines[li] ?? '').slice(m.span % 2 === 0 ? 0 : 2);
        t = lines.join('\n');
        break;
    }
  }
  return t;
}

/** Runs scale with SEMROUTE_FUZZ_SCALE (default 1: a few seconds per property). */
const SCALE = Number(process.env.SEMROUTE_FUZZ_SCALE ?? 1);

/** Loads, or asserts the failure is a well-formed ConfigError; returns which. */
function check(load: () => unknown): 'loaded' | 'rejected' {
  const t0 = performance.now();
  try {
    const loaded = load() as { warnings: unknown[] };
    // Warnings are logged: they must not carry an environment value either.
    expect(JSON.stringify(loaded.warnings)).not.toContain(SECRET);
    return 'loaded';
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const i of err.issues) {
      expect(typeof i.path).toBe('string');
      expect(typeof i.message).toBe('string');
      expect(i.path !== '' || i.line !== undefined, `issue without path or line: ${i.message}`).toBe(true);
    }
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toMatch(/Maximum call stack|circular structure/);
    return 'rejected';
  } finally {
    expect(performance.now() - t0).toBeLessThan(1000);
  }
}

describe('config fuzz', () => {
  it('the seed configs load unmutated', () => {
    for (const s of SEEDS) expect(check(() => parseConfig(s, { env }))).toBe('loaded');
  });

  it('mutated YAML text loads or throws a ConfigError with a path or line', () => {
    const outcomes = { loaded: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(textMutation, { minLength: 1, maxLength: 6 }), (seed, muts) => {
        const text = mutateText(seed, muts);
        outcomes[check(() => parseConfig(text, { env }))]++;
      }),
      { numRuns: 600 * SCALE, interruptAfterTimeLimit: 5000 * SCALE },
    );
    console.log(`config text fuzz: ${outcomes.loaded} loaded, ${outcomes.rejected} rejected with a ConfigError`);
    // The mutations must exercise both outcomes, or the property says little.
    expect(outcomes.loaded).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('mutated parsed objects (random values, reserved keys, cycles) load or throw a ConfigError', () => {
    const value = fc.oneof(
      fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }),
      fc.constantFrom('__proto__', 'constructor', 'prototype', '${API_KEY}', Number.NaN, Number.POSITIVE_INFINITY, -1, 1e308, '', [], {}),
    );
    const objMutation = fc.record({ pick: fc.nat(), op: fc.constantFrom('set', 'delete', 'reserved-key', 'cycle'), value });
    const outcomes = { loaded: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(objMutation, { minLength: 1, maxLength: 4 }), (seed, muts) => {
        const obj = parse(seed) as Record<string, unknown>;
        for (const m of muts) {
          const slots = collect(obj);
          const slot = slots[m.pick % slots.length]!;
          if (m.op === 'set') slot.parent[slot.key as never] = m.value as never;
          else if (m.op === 'delete' && !Array.isArray(slot.parent)) delete (slot.parent as Record<string, unknown>)[slot.key as string];
          else if (m.op === 'reserved-key' && !Array.isArray(slot.parent)) {
            Object.defineProperty(slot.parent, ['__proto__', 'constructor', 'prototype'][m.pick % 3]!, { value: m.value, enumerable: true, configurable: true, writable: true });
          } else if (m.op === 'cycle') slot.parent[slot.key as never] = obj as never;
        }
        outcomes[check(() => validateConfig(obj, { env }))]++;
      }),
      { numRuns: 400 * SCALE, interruptAfterTimeLimit: 5000 * SCALE },
    );
    console.log(`config object fuzz: ${outcomes.loaded} loaded, ${outcomes.rejected} rejected with a ConfigError`);
    expect(outcomes.loaded).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });
});

/** Every (parent, key) slot of a plain tree, for picking a place to mutate. */
function collect(v: unknown, out: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [], depth = 0) {
  if (depth > 12 || v === null || typeof v !== 'object') return out;
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      collect(x, out, depth + 1);
    });
  } else {
    for (const k of Object.keys(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      collect((v as Record<string, unknown>)[k], out, depth + 1);
    }
  }
  return out;
}
