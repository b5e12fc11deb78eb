// Labelled routing data: JSONL lines `{prompt | messages, expected: name | [names], id?}`.
// A bad line is reported with its number and skipped; the rest is evaluated.
import type { ChatCompletionRequest } from '@semroute/router';

export interface LabelledItem {
  line: number;
  id?: string;
  request: ChatCompletionRequest;
  /** Text shown in reports (the prompt, or the last user message). */
  prompt: string;
  /** Acceptable models (any of them counts as correct). */
  expected: string[];
}

export interface LineError {
  line: number;
  error: string;
}

/** Parses every non-empty line; `known` (card / provider names) catches typos in `expected`. */
export function parseLabelled(text: string, known: Set<string>): { items: LabelledItem[]; errors: LineError[] } {
  const items: LabelledItem[] = [];
  const errors: LineError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const r = parseItem(raw, line, known);
    if ('error' in r) errors.push({ line, error: `line ${line}: ${r.error}` });
    else items.push(r);
  });
  return { items, errors };
}

function parseItem(raw: string, line: number, known: Set<string>): LabelledItem | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    return { error: `not JSON (${(err as Error).message})` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'expected a JSON object' };
  const o = v as Record<string, unknown>;
  const expected = typeof o.expected === 'string' ? [o.expected] : Array.isArray(o.expected) ? o.expected : undefined;
  if (!expected || expected.length === 0 || !expected.every((e): e is string => typeof e === 'string' && e !== '')) {
    return { error: '"expected" must be a model name or a non-empty list of names' };
  }
  const unknown = expected.filter((e) => !known.has(e));
  if (unknown.length > 0) return { error: `"expected" names ${unknown.map((u) => `"${u}"`).join(', ')}, not a model of the config (known: ${[...known].join(', ')})` };
  const model = typeof o.model === 'string' ? o.model : 'MoM';
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : undefined;
  let request: ChatCompletionRequest;
  let prompt: string;
  if (typeof o.prompt === 'string') {
    if (o.prompt.trim() === '') return { error: '"prompt" is empty' };
    prompt = o.prompt;
    request = { model, messages: [{ role: 'user', content: o.prompt }] };
  } else if (Array.isArray(o.messages)) {
    const bad = o.messages.findIndex((m) => m === null || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string');
    if (bad >= 0) return { error: `messages[${bad}] must be an object with a string "role"` };
    const users = (o.messages as Array<{ role: string; content?: unknown }>).filter((m) => m.role === 'user');
    const last = users[users.length - 1]?.content;
    prompt = typeof last === 'string' ? last : JSON.stringify(last ?? '');
    request = { model, messages: o.messages as ChatCompletionRequest['messages'] };
  } else {
    return { error: 'expected a "prompt" string or a "messages" array' };
  }
  return { line, ...(id !== undefined ? { id } : {}), request, prompt, expected };
}
