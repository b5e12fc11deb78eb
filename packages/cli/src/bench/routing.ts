// Routing accuracy on bench/routing-set.jsonl with the seed config: semroute vs the article's keyword router.
import { readUserFile } from '../files.js';
import { UserError } from '../io.js';
import type { Router } from '@semroute/router';
import { keywordRoute } from './keyword-baseline.js';
import { accuracy, round } from './stats.js';

interface Item {
  id: string;
  category: string;
  expected: string;
  prompt: string;
  source: string;
}

export async function readRoutingSet(file: string): Promise<Item[]> {
  const lines = (await readUserFile(file, 'routing set')).split('\n');
  const items: Item[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    let o: Item;
    try {
      o = JSON.parse(l) as Item;
    } catch {
      throw new UserError(`${file}:${i + 1}: not JSON`);
    }
    if (typeof o.prompt !== 'string' || typeof o.expected !== 'string') throw new UserError(`${file}:${i + 1}: needs "prompt" and "expected"`);
    items.push(o);
  });
  return items;
}

/** Routes every item once (one batch) and compares both routers with the expected model. */
export async function benchRouting(router: Router, items: Item[]) {
  const decisions = await router.routeBatch(items.map((it) => ({ model: 'MoM', messages: [{ role: 'user', content: it.prompt }] })));
  const ours = accuracy(items.map((it, i) => [it.expected, decisions[i]!.selectedModel]));
  const keyword = accuracy(items.map((it) => [it.expected, keywordRoute(it.prompt)]));
  const perCategory: Record<string, { semroute: number; keyword: number; n: number }> = {};
  items.forEach((it, i) => {
    const c = perCategory[it.category] ?? { semroute: 0, keyword: 0, n: 0 };
    perCategory[it.category] = c;
    c.n++;
    if (decisions[i]!.selectedModel === it.expected) c.semroute++;
    if (keywordRoute(it.prompt) === it.expected) c.keyword++;
  });
  const misses = items
    .map((it, i) => ({ id: it.id, prompt: it.prompt, expected: it.expected, semroute: decisions[i]!.selectedModel, keyword: keywordRoute(it.prompt) }))
    .filter((m) => m.semroute !== m.expected);
  return {
    items: items.length,
    semroute: { ...ours, accuracy: round(ours.accuracy) },
    keyword: { ...keyword, accuracy: round(keyword.accuracy) },
    perCategory,
    semrouteMisses: misses,
  };
}
