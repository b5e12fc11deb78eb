// OpenAI streaming (Server-Sent Events) in both directions: a cached completion replayed as a
// correct chat.completion.chunk stream, and a streamed upstream answer reassembled into one
// chat.completion for the cache.

interface ToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface Choice {
  index?: number;
  message?: { role?: string; content?: string | null; tool_calls?: ToolCall[]; [k: string]: unknown };
  finish_reason?: string | null;
}

/** Encodes a (non-streamed) chat.completion as SSE: role+content chunk per choice, a finish chunk, then [DONE]. */
export function completionToSse(completion: unknown): string {
  const c = (completion ?? {}) as { id?: string; created?: number; model?: string; choices?: Choice[]; usage?: unknown; system_fingerprint?: string };
  const base = {
    id: c.id ?? 'chatcmpl-semroute-cache',
    object: 'chat.completion.chunk',
    created: c.created ?? Math.floor(Date.now() / 1000),
    model: c.model ?? '',
    ...(c.system_fingerprint ? { system_fingerprint: c.system_fingerprint } : {}),
  };
  const events: unknown[] = [];
  const choices = Array.isArray(c.choices) ? c.choices : [];
  for (const [i, ch] of choices.entries()) {
    const index = ch.index ?? i;
    const msg = ch.message ?? {};
    const delta: Record<string, unknown> = { role: msg.role ?? 'assistant', content: msg.content ?? '' };
    if (Array.isArray(msg.tool_calls)) delta.tool_calls = msg.tool_calls.map((t, k) => ({ index: k, ...t }));
    events.push({ ...base, choices: [{ index, delta, finish_reason: null }] });
  }
  for (const [i, ch] of choices.entries()) {
    events.push({ ...base, choices: [{ index: ch.index ?? i, delta: {}, finish_reason: ch.finish_reason ?? 'stop' }] });
  }
  if (c.usage !== undefined) events.push({ ...base, choices: [], usage: c.usage });
  return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
}

/** Reassembles an SSE chat stream into one chat.completion; undefined when it holds no chunk. */
export function sseToCompletion(text: string): Record<string, unknown> | undefined {
  let first: Record<string, unknown> | undefined;
  let usage: unknown;
  const choices = new Map<number, { role: string; content: string; hasContent: boolean; tools: Map<number, ToolCall>; finish: string | null }>();
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '' || data === '[DONE]') continue;
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return undefined; // a stream we cannot read fully is not cached
    }
    first ??= chunk;
    if (chunk.usage) usage = chunk.usage;
    for (const ch of (chunk.choices as Array<Record<string, unknown>> | undefined) ?? []) {
      const index = typeof ch.index === 'number' ? ch.index : 0;
      let acc = choices.get(index);
      if (!acc) {
        acc = { role: 'assistant', content: '', hasContent: false, tools: new Map(), finish: null };
        choices.set(index, acc);
      }
      const delta = (ch.delta ?? {}) as { role?: string; content?: string | null; tool_calls?: ToolCall[] };
      if (delta.role) acc.role = delta.role;
      if (typeof delta.content === 'string') {
        acc.content += delta.content;
        acc.hasContent = true;
      }
      for (const t of delta.tool_calls ?? []) {
        const k = t.index ?? 0;
        const prev = acc.tools.get(k) ?? { function: { name: '', arguments: '' } };
        acc.tools.set(k, {
          ...(t.id ?? prev.id ? { id: t.id ?? prev.id } : {}),
          type: t.type ?? prev.type ?? 'function',
          function: {
            name: (prev.function?.name ?? '') + (t.function?.name ?? ''),
            arguments: (prev.function?.arguments ?? '') + (t.function?.arguments ?? ''),
          },
        });
      }
      if (typeof ch.finish_reason === 'string') acc.finish = ch.finish_reason;
    }
  }
  if (!first) return undefined;
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [...choices.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, a]) => ({
        index,
        message: {
          role: a.role,
          content: a.hasContent || a.tools.size === 0 ? a.content : null,
          ...(a.tools.size > 0 ? { tool_calls: [...a.tools.entries()].sort((x, y) => x[0] - y[0]).map(([, t]) => t) } : {}),
        },
        finish_reason: a.finish,
      })),
    ...(usage !== undefined ? { usage } : {}),
  };
}
