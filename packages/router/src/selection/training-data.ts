// Labelled training prompts: JSONL lines of {"text" | "prompt": string, "model": string}.

export interface LabelledText {
  text: string;
  label: string;
}

/** Parses training JSONL; throws naming the source and line of the first bad lines (all of them). */
export function parseTrainingJsonl(content: string, source: string): LabelledText[] {
  const out: LabelledText[] = [];
  const problems: string[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      problems.push(`${where}: not valid JSON (${(e as Error).message})`);
      return;
    }
    const r = row as Record<string, unknown>;
    const text = typeof r?.text === 'string' ? r.text : typeof r?.prompt === 'string' ? r.prompt : undefined;
    if (!text?.trim()) problems.push(`${where}: needs a non-empty "text" or "prompt" string`);
    if (typeof r?.model !== 'string' || r.model === '') problems.push(`${where}: needs a non-empty "model" string`);
    if (text?.trim() && typeof r.model === 'string' && r.model !== '') out.push({ text, label: r.model });
  });
  if (problems.length > 0) throw new Error(`invalid training data:\n  ${problems.join('\n  ')}`);
  if (out.length === 0) throw new Error(`invalid training data: ${source} has no examples`);
  return out;
}
