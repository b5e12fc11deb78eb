// Domain-signal accuracy on vsr_domain_bench.json (70 prompts, 14 categories). The domains are
// described by bench/domain-examples.json: a description per category and three example prompts
// written for this repo (none from the bench set).
import { readFile } from 'node:fs/promises';
import { createRouter, type TextEmbedder } from '@semroute/router';
import { accuracy, round } from './stats.js';

interface BenchItem {
  text: string;
  true_label: string;
}
interface DomainDef {
  name: string;
  description: string;
  examples: string[];
}

export interface DomainVariant {
  name: string;
  useExamples: boolean;
  method: 'centroid' | 'knn';
}

export const DOMAIN_VARIANTS: DomainVariant[] = [
  { name: 'descriptions, centroid', useExamples: false, method: 'centroid' },
  { name: 'descriptions + 3 examples, centroid', useExamples: true, method: 'centroid' },
  { name: 'descriptions + 3 examples, knn (k=5)', useExamples: true, method: 'knn' },
];

export async function readDomainBench(file: string): Promise<BenchItem[]> {
  const data = JSON.parse(await readFile(file, 'utf8')) as BenchItem[];
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array`);
  return data;
}

export async function readDomainDefs(file: string): Promise<DomainDef[]> {
  return (JSON.parse(await readFile(file, 'utf8')) as { domains: DomainDef[] }).domains;
}

/** Classifies every bench prompt through the router's domain signals, per variant. */
export async function benchDomain(embedder: TextEmbedder, items: BenchItem[], defs: DomainDef[], variants = DOMAIN_VARIANTS) {
  const results = [];
  for (const v of variants) {
    const config = {
      version: 'v0.3',
      providers: { models: [{ name: 'm' }] },
      routing: {
        modelCards: [{ name: 'm', description: 'any' }],
        signals: { domains: defs.map((d) => ({ name: d.name, description: d.description, ...(v.useExamples ? { examples: d.examples } : {}) })) },
        domain_classifier: { method: v.method },
        decisions: [],
      },
    };
    const router = await createRouter({ config, embedder });
    const ds = await router.routeBatch(items.map((it) => ({ model: 'MoM', messages: [{ role: 'user', content: it.text }] })));
    await router.close();
    const predicted = ds.map((d) => d.signals.find((s) => s.type === 'domain' && s.matched)?.name ?? '(none)');
    const acc = accuracy(items.map((it, i) => [it.true_label, predicted[i]!]));
    results.push({ variant: v.name, correct: acc.correct, total: acc.total, accuracy: round(acc.accuracy), confusion: acc.confusion });
  }
  return results;
}
