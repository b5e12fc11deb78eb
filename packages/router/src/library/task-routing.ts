// Card scores informed by the task library (formula in docs/selection.md, "Task-aware card fit").
//
// Load: the library's prompts (plus each card's own `examples[]`, as prototypes of a pseudo-task
// owned by that card) form a TaskIndex; every card gets an affinity to every task type.
// Route: P(task | prompt) from the index; a card's task score is sum_t P(t | p) * A(card, t); its
// fit blends that with the direct prompt-to-card similarity:
//
//   fit_k = lambda * (task_k - 1/K) * spread + (1 - lambda) * direct_k
//
// (task_k - 1/K) is centred so that a task claimed by nobody moves no card; `spread` puts the task
// evidence on the cosine scale of `direct` so the selectors' temperatures keep their meaning.
// A card whose texts fit no task type gets task_k = 1/K: direct similarity alone decides for it.
import type { TaskLibrary, TaskType } from './load.js';
import { TaskIndex, DEFAULT_TASK_INDEX_PARAMS, type TaskIndexParams } from './task-index.js';
import { cardTaskAffinity, DEFAULT_AFFINITY_PARAMS, type Affinity, type AffinityParams } from './affinity.js';
import type { LexicalTaskModel } from './lexical.js';

export interface TaskRoutingParams {
  index: TaskIndexParams;
  affinity: AffinityParams;
  /** Weight of the task evidence against direct similarity. */
  lambda: number;
  /** Scale of the centred task score. */
  spread: number;
  /** How many task types a decision reports as signals. */
  topTasks: number;
  /** Weight of the lexical model's P(task | words) in P(task | prompt). */
  lexicalWeight: number;
}

export const DEFAULT_TASK_ROUTING_PARAMS: TaskRoutingParams = {
  index: DEFAULT_TASK_INDEX_PARAMS,
  affinity: DEFAULT_AFFINITY_PARAMS,
  lambda: 0.5,
  spread: 1,
  topTasks: 3,
  lexicalWeight: 0.5,
};

export interface CardTexts {
  name: string;
  /** Unit-norm vectors of every text of the card (description, clauses, capabilities, examples). */
  texts: Float32Array[];
  /** Unit-norm vectors of the card's own example prompts (a subset of `texts`). */
  examples: Float32Array[];
}

export interface TaskScores {
  /** Fit per card name (replaces the direct similarity for the selectors). */
  fit: Map<string, number>;
  /** The most likely task types of the library with P(task | prompt). */
  top: Array<{ task: TaskType; score: number }>;
}

export class TaskRouting {
  readonly affinity: Affinity;
  private readonly index: TaskIndex;
  private readonly taskCount: number;

  /**
   * @param library the tasks (prompt texts are not needed here)
   * @param promptVectors unit-norm vectors of `library.prompts`, same order
   * @param labelVectors unit-norm vectors of each task's "name: description", same order as `library.tasks`
   * @param groupVectors unit-norm vectors of each group's "name: description", same order as `library.groups`
   */
  constructor(
    readonly library: Pick<TaskLibrary, 'tasks' | 'prompts'> & Partial<Pick<TaskLibrary, 'groups'>>,
    promptVectors: Float32Array[],
    labelVectors: Float32Array[],
    readonly cards: CardTexts[],
    readonly dim: number,
    private readonly params: TaskRoutingParams = DEFAULT_TASK_ROUTING_PARAMS,
    groupVectors: Float32Array[] = [],
    private readonly lexical?: LexicalTaskModel,
  ) {
    if (lexical && lexical.classes !== library.tasks.length) {
      throw new Error(`task routing: the lexical model has ${lexical.classes} classes for ${library.tasks.length} task types`);
    }
    this.taskCount = library.tasks.length;
    const groupVector = (id: string): Float32Array | undefined => {
      const g = (library.groups ?? []).findIndex((x) => x.id === id);
      return g >= 0 ? groupVectors[g] : undefined;
    };
    // Card examples are prototypes of one pseudo-task per card, after the library's tasks.
    const vectors = [...promptVectors];
    const labels = library.prompts.map((p) => p.task);
    cards.forEach((c, k) => {
      for (const v of c.examples) {
        vectors.push(v);
        labels.push(this.taskCount + k);
      }
    });
    this.index = new TaskIndex(vectors, labels, this.taskCount + cards.length, dim, params.index);
    this.affinity = cardTaskAffinity(
      cards.map((c) => c.texts),
      labelVectors,
      this.index.centroids.slice(0, this.taskCount),
      params.affinity,
      library.tasks.map((t) => t.group),
      library.tasks.map((t) => groupVector(t.group)),
      library.tasks.map((t) => (t.also ?? []).map(groupVector).filter((v): v is Float32Array => v !== undefined)),
    );
  }

  /**
   * Task evidence for one unit-norm prompt embedding; `direct` is the prompt-to-card similarity;
   * `text`, the prompt, is read by the lexical model when there is one.
   */
  score(embedding: Float32Array, direct: (card: string) => number, text?: string): TaskScores {
    const { lambda, spread, topTasks, lexicalWeight } = this.params;
    const K = this.cards.length;
    const { probs } = this.index.distribution(embedding);
    if (this.lexical && text !== undefined && lexicalWeight > 0) {
      // The library's share of P (the rest is on the cards' own examples) is split between the
      // index's view and the lexical model's.
      const lexical = this.lexical.probs(text, embedding);
      let mass = 0;
      for (let t = 0; t < this.taskCount; t++) mass += probs[t]!;
      for (let t = 0; t < this.taskCount; t++) probs[t] = (1 - lexicalWeight) * probs[t]! + lexicalWeight * mass * lexical[t]!;
    }
    const fit = new Map<string, number>();
    this.cards.forEach((c, k) => {
      let task = 1 / K;
      if (this.affinity.cardFits[k] || c.examples.length > 0) {
        task = probs[this.taskCount + k]!; // the card's own examples
        const a = this.affinity.affinity[k]!;
        for (let t = 0; t < this.taskCount; t++) task += probs[t]! * a[t]!;
      }
      fit.set(c.name, lambda * (task - 1 / K) * spread + (1 - lambda) * direct(c.name));
    });
    const top = [...probs.subarray(0, this.taskCount).entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topTasks)
      .filter(([, p]) => p > 0)
      .map(([t, p]) => ({ task: this.library.tasks[t]!, score: p }));
    return { fit, top };
  }
}
