// Complexity signal: is the prompt nearer the "hard" or the "easy" candidate phrases?
// p(hard) = sigmoid((maxSim(hard) - maxSim(easy)) / TEMPERATURE); level hard when p >= threshold,
// easy when 1 - p >= threshold, medium otherwise. Rules name `x` (= `x:hard`), `x:easy` or `x:medium`:
// the signal answers a result under each of those names.
import type { SignalResult } from '../api.js';
import type { SignalsConfig } from '../config/schema.js';
import { dot } from '../vector.js';
import type { SignalEvaluator, SignalInput } from './types.js';

type ComplexityConfig = SignalsConfig['complexity'][number];

/** Cosine gaps between MiniLM-class neighbours are a few hundredths: 0.05 turns them into odds. */
const TEMPERATURE = 0.05;

export interface ComplexityDetail {
  level: 'hard' | 'easy' | 'medium';
  pHard: number;
  hard: number;
  easy: number;
}

const maxSim = (e: Float32Array, vs: Float32Array[]) => vs.reduce((m, v) => Math.max(m, dot(e, v)), -1);

export class ComplexitySignal implements SignalEvaluator {
  readonly type = 'complexity' as const;
  readonly name: string;
  private readonly phrases: string[];
  private hard: Float32Array[] = [];
  private easy: Float32Array[] = [];

  constructor(private readonly cfg: ComplexityConfig) {
    this.name = cfg.name;
    this.phrases = [...cfg.hard.candidates, ...cfg.easy.candidates];
  }

  loadTexts(): string[] {
    return this.phrases;
  }

  bind(vectors: Float32Array[]): void {
    const n = this.cfg.hard.candidates.length;
    this.hard = vectors.slice(0, n);
    this.easy = vectors.slice(n);
  }

  /**
   * `complexity:<name>` (the hard level: matched when hard, confidence p(hard)) and one result per
   * level, `complexity:<name>:hard|easy|medium`, matched when the prompt is at that level, with
   * confidence p(hard), 1 - p(hard), and 1 - |2 p(hard) - 1| (highest when neither side wins).
   */
  evaluate(input: SignalInput): SignalResult[] {
    const hard = maxSim(input.embedding, this.hard);
    const easy = maxSim(input.embedding, this.easy);
    const pHard = 1 / (1 + Math.exp(-(hard - easy) / TEMPERATURE));
    const t = this.cfg.threshold;
    const level = pHard >= t ? 'hard' : 1 - pHard >= t ? 'easy' : 'medium';
    const detail: ComplexityDetail = { level, pHard, hard, easy };
    const confidence = { hard: pHard, easy: 1 - pHard, medium: 1 - Math.abs(2 * pHard - 1) };
    const result = (name: string, l: ComplexityDetail['level']): SignalResult => ({
      id: `complexity:${name}`,
      type: 'complexity',
      name,
      matched: level === l,
      confidence: confidence[l],
      detail,
    });
    return [result(this.name, 'hard'), ...LEVELS.map((l) => result(`${this.name}:${l}`, l))];
  }
}

const LEVELS = ['hard', 'easy', 'medium'] as const;
