// route() latency end to end (prompt extraction, embedding, signals, decision, selection) for a
// short prompt, and how it grows with the number of cards and decisions. Synthetic configs: cards
// get distinct topic descriptions; each decision has a keyword OR embedding rule and three models.
import { createRouter, type Router, type TextEmbedder } from '@semroute/router';
import { percentile, round } from './stats.js';

const TOPICS = [
  'python programming', 'rust systems code', 'javascript web apps', 'sql databases', 'devops and kubernetes', 'data science',
  'machine learning', 'mathematics proofs', 'physics problems', 'chemistry', 'biology and medicine', 'law and contracts',
  'finance and accounting', 'marketing copy', 'creative fiction', 'poetry', 'translation', 'summarization', 'customer support',
  'travel planning', 'cooking recipes', 'fitness coaching', 'history questions', 'philosophy essays', 'economics analysis',
  'music theory', 'art critique', 'gaming', 'sports trivia', 'movie recommendations', 'legal compliance', 'tax questions',
  'cybersecurity', 'networking', 'embedded systems', 'mobile apps', 'ui design', 'technical writing', 'grant proposals',
  'academic citations', 'language tutoring', 'children stories', 'mental health support', 'nutrition advice', 'gardening',
  'home repair', 'car maintenance', 'real estate', 'career advice', 'interview practice', 'resume writing', 'negotiation',
  'project management', 'product strategy', 'startup pitches', 'scientific papers', 'statistics', 'geography facts',
  'astronomy', 'climate science', 'religion and ethics', 'pet care', 'parenting', 'event planning',
];

/** A config with `cards` cards and `decisions` decisions (the last one a catch-all). */
export function syntheticConfig(cards: number, decisions: number) {
  const names = Array.from({ length: cards }, (_, i) => `model-${i}`);
  const cardDefs = names.map((name, i) => ({
    name,
    description: `Model specialised in ${TOPICS[i % TOPICS.length]}. Good at ${TOPICS[(i * 7 + 3) % TOPICS.length]} and quick answers.`,
  }));
  const keywords = Array.from({ length: decisions }, (_, i) => ({ name: `kw${i}`, keywords: [`trigger${i}`, `topic${i}`] }));
  const embeddings = Array.from({ length: decisions }, (_, i) => ({ name: `emb${i}`, candidates: [TOPICS[i % TOPICS.length]!], threshold: 0.9 }));
  const decisionDefs = Array.from({ length: decisions }, (_, i) => ({
    name: `decision-${i}`,
    priority: decisions - i,
    rules: i === decisions - 1 ? {} : { operator: 'OR', conditions: [{ type: 'keyword', name: `kw${i}` }, { type: 'embedding', name: `emb${i}` }] },
    modelRefs: i === decisions - 1 ? names.map((model) => ({ model })) : [0, 1, 2].map((k) => ({ model: names[(i + k) % cards]! })),
    algorithm: { type: 'multi_factor', multi_factor: { weights: { quality: 1 } } },
  }));
  return {
    version: 'v0.3',
    providers: { defaults: { default_model: names[0] }, models: names.map((name) => ({ name })) },
    routing: { modelCards: cardDefs, signals: { keywords, embeddings }, decisions: decisionDefs },
  };
}

/** Times `n` sequential route() calls after `warmup` untimed ones. */
export async function timeRoutes(router: Router, prompt: string, n: number, warmup = 10) {
  const req = { model: 'MoM', messages: [{ role: 'user', content: prompt }] };
  for (let i = 0; i < warmup; i++) await router.route(req);
  const wall: number[] = [];
  const reported: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const d = await router.route(req);
    wall.push(performance.now() - t);
    reported.push(d.latencyMs);
  }
  return { n, p50: round(percentile(wall, 50)), p99: round(percentile(wall, 99)), mean: round(wall.reduce((a, b) => a + b, 0) / n), reportedP50: round(percentile(reported, 50)) };
}

/**
 * Wraps an embedder so a text seen before is not embedded again: timing routes through it isolates
 * the router's own work (signals, rules, card similarities, selection) from the model's.
 */
export function memoEmbedder(inner: TextEmbedder): TextEmbedder {
  const memo = new Map<string, Float32Array>();
  return {
    info: inner.info,
    async embed(texts) {
      const missing = [...new Set(texts.filter((t) => !memo.has(t)))];
      if (missing.length > 0) {
        const b = await inner.embed(missing);
        missing.forEach((t, i) => {
          memo.set(t, b.data.slice(i * b.dim, (i + 1) * b.dim));
        });
      }
      const dim = inner.info.dim;
      const data = new Float32Array(texts.length * dim);
      texts.forEach((t, i) => {
        data.set(memo.get(t)!, i * dim);
      });
      return { data, dim, truncated: [] };
    },
  };
}

/** Short-prompt latency with a given config, then the card / decision growth series. */
export async function benchLatency(embedder: TextEmbedder, seedConfig: string | object, n: number) {
  const prompt = "What's the capital of Australia?";
  const seedRouter = await createRouter({ config: seedConfig as never, embedder });
  const seed = await timeRoutes(seedRouter, prompt, n);
  await seedRouter.close();
  const embedOnly: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await embedder.embed([prompt]);
    embedOnly.push(performance.now() - t);
  }
  const growth = [];
  const memo = memoEmbedder(embedder);
  for (const [cards, decisions] of [[3, 1], [16, 1], [64, 1], [3, 8], [3, 32], [64, 32]] as const) {
    const config = syntheticConfig(cards, decisions);
    const r = await createRouter({ config, embedder });
    const full = await timeRoutes(r, prompt, Math.max(50, Math.floor(n / 2)));
    await r.close();
    // Same config, prompt embedding memoised: the router's own cost.
    const m = await createRouter({ config, embedder: memo });
    const own = await timeRoutes(m, prompt, n);
    await m.close();
    growth.push({ cards, decisions, ...full, routerOnlyP50: own.p50, routerOnlyP99: own.p99 });
  }
  return { prompt, seed, embedOnly: { p50: round(percentile(embedOnly, 50)), p99: round(percentile(embedOnly, 99)) }, growth };
}
