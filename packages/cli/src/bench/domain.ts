// Domain-signal accuracy on vsr_domain_bench.json (70 prompts, 14 categories). The domains are
// described by bench/domain-examples.json: a description per category and three example prompts
// written for this repo (none from the bench set).
import { parseUserJson, readUserFile } from '../files.js';
import { UserError } from '../io.js';
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
  const data = parseUserJson<BenchItem[]>(await readUserFile(file, 'domain bench'), file);
  if (!Array.isArray(data) || data.some((d) => typeof d?.text !== 'string' || typeof d?.true_label !== 'string')) {
    throw new UserError(`${file}: expected a JSON array of {text, true_label}`);
  }
  return data;
}

export async function readDomainDefs(file: string): Promise<DomainDef[]> {
  const defs = parseUserJson<{ domains?: DomainDef[] }>(await readUserFile(file, 'domain definitions'), file).domains;
  if (!Array.isArray(defs) || defs.length === 0) throw new UserError(`${file}: expected {"domains": [{name, description, examples}]}`);
  return defs;
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
