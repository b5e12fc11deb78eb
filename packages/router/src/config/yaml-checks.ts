// YAML-level checks with a path and a line: aliases that name no anchor or that contain themselves
// (which `toJS` would turn into a circular object or a ReferenceError), and the YAML path of a
// syntax error's position.
import { isAlias, isCollection, isDocument, isMap, isNode, isPair, isScalar, isSeq, visit, type Alias, type Document, type LineCounter, type Node } from 'yaml';
import { pathToString, type ConfigIssue } from './errors.js';

/** Undefined and recursive aliases, and keys that are lists or mappings, each with its YAML path and line. */
export function checkAliases(doc: Document, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Pair(_key, pair, ancestors) {
      // A config's keys are names; a collection key would be stringified into a name nobody wrote.
      if (!isCollection(pair.key)) return;
      const range = (pair.key as Node).range;
      issues.push({
        path: pathToString(pathOf(ancestors)),
        message: 'a mapping key must be a plain name, not a list or a mapping',
        ...(range ? { line: lines.linePos(range[0]).line } : {}),
      });
    },
    Alias(_key, node, ancestors) {
      const at = {
        path: pathToString(pathOf([...ancestors, node])),
        ...(node.range ? { line: lines.linePos(node.range[0]).line } : {}),
      };
      const target = node.resolve(doc);
      if (!target) {
        issues.push({ ...at, message: `YAML alias *${node.source} names no anchor defined before it (&${node.source})` });
      } else if (ancestors.includes(target as never)) {
        issues.push({ ...at, message: `YAML alias *${node.source} is inside the node anchored &${node.source} (a recursive alias)` });
      }
    },
  });
  return issues;
}

/** Path of keys / indices to the deepest node containing `offset` ('' for the root). */
export function yamlPathAt(doc: Document, offset: number): string {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (let depth = 0; depth < 256 && isCollection(node); depth++) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        const v = pair.value as Node | null;
        const end = v?.range?.[2] ?? k?.range?.[2];
        if (k?.range && k.range[0] <= offset && end !== undefined && offset <= end) {
          path.push(keyName(k));
          next = v;
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const r = (item as Node | null)?.range;
        if (next === undefined && r && r[0] <= offset && offset <= r[2]) {
          path.push(i);
          next = item;
        }
      });
    }
    if (next === undefined) break;
    node = next;
  }
  return pathToString(path);
}

/** Keys and indices from the document down to the last node of `chain` (visit's ancestors + node). */
function pathOf(chain: ReadonlyArray<unknown>): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i];
    const child = chain[i + 1];
    if (isPair(n)) path.push(keyName(n.key as Node));
    else if (isSeq(n) && child !== undefined) path.push(n.items.indexOf(child as never));
    else if (isDocument(n) || isMap(n) || isAlias(n) || isNode(n)) continue;
  }
  return path;
}

function keyName(k: Node | null): string {
  if (k === null) return '';
  return isScalar(k) ? String(k.value) : String(k);
}

/**
 * The alias at which `doc.toJS({ maxAliasCount })` gives up (an alias expanding into too many
 * nodes), with its path and line; undefined when the conversion does not fail that way. Runs the
 * conversion again with each alias instrumented, so it is only called after the first one failed.
 */
export function aliasOverLimit(doc: Document, lines: LineCounter, maxAliasCount: number): ConfigIssue | undefined {
  const where = new Map<Alias, ConfigIssue>();
  visit(doc, {
    Alias(_key, node, ancestors) {
      where.set(node, {
        path: pathToString(pathOf([...ancestors, node])),
        message: `YAML alias *${node.source} expands past the limit of ${maxAliasCount} alias expansions (Excessive alias count: a "billion laughs" document)`,
        ...(node.range ? { line: lines.linePos(node.range[0]).line } : {}),
      });
    },
  });
  let last: Alias | undefined;
  const patched: Alias[] = [];
  for (const node of where.keys()) {
    const resolve = node.resolve;
    // Own property over the prototype's: `toJS` calls `this.resolve(doc, ctx)` for each alias it expands.
    node.resolve = function (this: Alias, d, ctx) {
      if (ctx) last = node;
      return resolve.call(this, d, ctx);
    } as Alias['resolve'];
    patched.push(node);
  }
  try {
    doc.toJS({ maxAliasCount });
    return undefined;
  } catch (err) {
    if (!/Excessive alias count/.test((err as Error).message) || !last) return undefined;
    return where.get(last);
  } finally {
    for (const node of patched) delete (node as { resolve?: unknown }).resolve;
  }
}
