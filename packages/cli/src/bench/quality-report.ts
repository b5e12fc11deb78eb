// Markdown for BENCHMARKS.md: the before/after table and every misroute.
import type { QualityResult } from './quality.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const clip = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 110);

export function qualityMarkdown(results: QualityResult[]): string {
  const out: string[] = [];
  out.push('| suite | data | n | misrouted before | misrouted after |', '|---|---|---|---|---|');
  for (const r of results) {
    out.push(`| ${r.suite} | ${r.source} | ${r.after.total} | ${r.before.total - r.before.correct} (${pct(r.before.misrouteRate)}) | ${r.after.total - r.after.correct} (${pct(r.after.misrouteRate)}) |`);
  }
  for (const [when, pick] of [['after', (r: QualityResult) => r.after], ['before', (r: QualityResult) => r.before]] as const) {
    out.push('', `### Misroutes ${when}`, '');
    for (const r of results) {
      const rep = pick(r);
      out.push(`<details><summary>${r.suite}: ${rep.misrouted.length} misrouted</summary>`, '');
      if (rep.misrouted.length > 0) {
        out.push('| prompt | expected | routed | best scores |', '|---|---|---|---|');
        for (const m of rep.misrouted) {
          out.push(`| ${clip(m.prompt)} | ${m.expected.join(', ')} | ${m.got} | ${m.top.map((t) => `${t.model} ${t.score.toFixed(3)}`).join(', ')} |`);
        }
      }
      out.push('', '</details>');
    }
  }
  return `${out.join('\n')}\n`;
}
