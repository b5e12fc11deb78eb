// Context-length signal: the conversation's estimated token count within [min_tokens, max_tokens].
import type { SignalResult } from '../api.js';
import type { SignalsConfig } from '../config/schema.js';
import type { SignalEvaluator, SignalInput } from './types.js';

type ContextConfig = SignalsConfig['context'][number];

export class ContextSignal implements SignalEvaluator {
  readonly type = 'context' as const;
  readonly name: string;
  loadTexts(): string[] {
    return [];
  }

  constructor(private readonly cfg: ContextConfig) {
    this.name = cfg.name;
  }

  bind(): void {}

  evaluate(input: SignalInput): SignalResult[] {
    return [this.result(input)];
  }

  private result(input: SignalInput): SignalResult {
    const t = input.conversationTokens;
    const min = this.cfg.min_tokens ?? 0;
    const max = this.cfg.max_tokens ?? Number.POSITIVE_INFINITY;
    const matched = t >= min && t <= max;
    return { id: `context:${this.name}`, type: 'context', name: this.name, matched, confidence: matched ? 1 : 0, detail: { tokens: t } };
  }
}
