// Names that would collide with JavaScript object internals (`__proto__`, `constructor`,
// `prototype`) are rejected wherever a config lets a user choose a name: as any mapping key and as
// a card, provider model, decision, signal or referenced model name. The same walk rejects what a
// tree built in code may hold and YAML cannot: cycles, and nesting deep enough to exhaust the stack.
import { pathToString, type ConfigIssue } from './errors.js';

export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Fields whose string value is a user-chosen name or a reference to one. */
const NAME_FIELDS = new Set(['name', 'model', 'default_model']);
/** Fields holding a list of names. */
const NAME_LISTS = new Set(['auto_model_names']);

/** Deeper than any real config; well within the stack of every later recursive pass. */
export const MAX_CONFIG_DEPTH = 64;

/**
 * Reports reserved keys and names, cycles and excessive depth (`expanded`: the tree after `${VAR}`
 * expansion, whose names may have come from the environment). Returns false when the tree must not
 * be walked any further (a cycle, too deep, or a reserved key): later passes recurse into every key.
 */
export function checkReserved(raw: unknown, issues: ConfigIssue[], expanded = false): boolean {
  let walkable = true;
  const stack = new Set<unknown>();
  const visit = (v: unknown, path: (string | number)[], key: string | number | undefined): void => {
    if (typeof v === 'string') {
      const named = (typeof key === 'string' && NAME_FIELDS.has(key)) || (typeof key === 'number' && NAME_LISTS.has(String(path[path.length - 2])));
      if (named && RESERVED_NAMES.has(v.trim())) {
        // After `${VAR}` expansion the message must not list the names: it is redacted by value.
        const message = expanded
          ? `"${v.trim()}" (from the environment) is a reserved name and cannot name anything`
          : `"${v.trim()}" is a reserved name (${[...RESERVED_NAMES].join(', ')} cannot name anything)`;
        issues.push({ path: pathToString(path), message });
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (stack.has(v)) {
      issues.push({ path: pathToString(path), message: 'the config refers to itself here (a cycle): a config must be a tree' });
      walkable = false;
      return;
    }
    if (path.length >= MAX_CONFIG_DEPTH) {
      issues.push({ path: pathToString(path), message: `nested more than ${MAX_CONFIG_DEPTH} levels deep` });
      walkable = false;
      return;
    }
    stack.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        visit(item, [...path, i], i);
      });
    } else {
      for (const k of Object.keys(v)) {
        if (RESERVED_NAMES.has(k)) {
          // Not walked, so the later passes must not walk it either (it may even hold a cycle).
          issues.push({ path: pathToString([...path, k]), message: `"${k}" is a reserved name and cannot be a key` });
          walkable = false;
          continue;
        }
        visit((v as Record<string, unknown>)[k], [...path, k], k);
      }
    }
    stack.delete(v);
  };
  visit(raw, [], undefined);
  return walkable;
}
