// Routing accuracy of a router on labelled items: accuracy, a per-card confusion matrix, the
// misrouted prompts with their top scores, and route() latency (each item routed on its own).
import type { Router } from '@semroute/router';
import type { LabelledItem } from './labelled.js';
import { percentile, round } from '../bench/stats.js';

export interface Misroute {
  line: number;
  id?: string;
  prompt: string;
  expected: string[];
  got: string;
  reasonCode: string;
  /** Best three card scores, highest first. */
  top: Array<{ model: string; score: number }>;
  /** Top task types of the library, when it is loaded. */
  tasks: Array<{ task: string; score: number }>;
}

export interface EvalReport {
  total: number;
  correct: number;
  accuracy: number;
  misrouteRate: number;
  /** confusion[expected][got] = count (the first expected name is the row). */
  confusion: Record<string, Record<string, number>>;
  perCard: Record<string, { total: number; correct: number; accuracy: number }>;
  misrouted: Misroute[];
  latencyMs: { p50: number; p99: number; n: number };
}

export async function evaluateRouter(router: Router, items: LabelledItem[]): Promise<EvalReport> {
  const confusion: EvalReport['confusion'] = {};
  const perCard: EvalReport['perCard'] = {};
  const misrouted: Misroute[] = [];
  const times: number[] = [];
  let correct = 0;
  for (const it of items) {
    const t0 = performance.now();
    const d = await router.route(it.request);
    times.push(performance.now() - t0);
    const row = it.expected[0]!;
    const ok = it.expected.includes(d.selectedModel);
    const cell = confusion[row] ?? {};
    confusion[row] = cell;
    cell[d.selectedModel] = (cell[d.selectedModel] ?? 0) + 1;
    const pc = perCard[row] ?? { total: 0, correct: 0, accuracy: 0 };
    perCard[row] = pc;
    pc.total++;
    if (ok) {
      correct++;
      pc.correct++;
      continue;
    }
    misrouted.push({
      line: it.line,
      ...(it.id !== undefined ? { id: it.id } : {}),
      prompt: it.prompt,
      expected: it.expected,
      got: d.selectedModel,
      reasonCode: d.reasonCode,
      top: Object.entries(d.scores)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([model, score]) => ({ model, score: round(score, 4) })),
      tasks: d.signals.filter((s) => s.type === 'task').map((s) => ({ task: s.name, score: round(s.score ?? s.confidence, 3) })),
    });
  }
  for (const pc of Object.values(perCard)) pc.accuracy = round(pc.total ? pc.correct / pc.total : 0, 4);
  const total = items.length;
  return {
    total,
    correct,
    accuracy: round(total ? correct / total : 0, 4),
    misrouteRate: round(total ? 1 - correct / total : 0, 4),
    confusion,
    perCard,
    misrouted,
    latencyMs: { p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2), n: times.length },
  };
}
