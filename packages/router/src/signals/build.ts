// Builds the configured signals and evaluates them for one request.
import type { SignalResult } from '../api.js';
import type { RouterConfig } from '../config/schema.js';
import { ComplexitySignal } from './complexity.js';
import { ContextSignal } from './context.js';
import { DomainClassifier, DomainSignal } from './domain.js';
import { EmbeddingSignal } from './embedding.js';
import { JailbreakSignal } from './jailbreak.js';
import { KeywordSignal } from './keyword.js';
import { LanguageSignal, sharedLanguageDetector } from './language.js';
import { PiiSignal } from './pii.js';
import type { SignalEvaluator, SignalInput } from './types.js';

export interface SignalSet {
  evaluators: SignalEvaluator[];
  /** Present when domains are declared; its texts are embedded with the rest at load. */
  domains?: DomainClassifier;
  /** True when some signal compares embeddings (else the prompt need not be embedded for signals). */
  needsEmbedding: boolean;
}

/** Instantiates every signal in `routing.signals`. */
export function buildSignals(config: RouterConfig): SignalSet {
  const s = config.routing.signals;
  const detect = sharedLanguageDetector();
  const domains = s.domains.length > 0 ? new DomainClassifier(s.domains, config.routing.domain_classifier) : undefined;
  const evaluators: SignalEvaluator[] = [
    ...s.keywords.map((c) => new KeywordSignal(c)),
    ...s.embeddings.map((c) => new EmbeddingSignal(c)),
    ...s.domains.map((c) => new DomainSignal(c, domains!)),
    ...s.language.map((c) => new LanguageSignal(c, detect)),
    ...s.context.map((c) => new ContextSignal(c)),
    ...s.complexity.map((c) => new ComplexitySignal(c)),
    ...s.pii.map((c) => new PiiSignal(c)),
    ...s.jailbreak.map((c) => new JailbreakSignal(c)),
  ];
  const needsEmbedding = domains !== undefined || evaluators.some((e) => e.loadTexts().length > 0);
  return { evaluators, domains, needsEmbedding };
}

/** Evaluates all signals concurrently against one shared input (one prompt embedding). */
export async function evaluateSignals(set: SignalSet, input: SignalInput): Promise<SignalResult[]> {
  return (await Promise.all(set.evaluators.map(async (e) => e.evaluate(input)))).flat();
}
