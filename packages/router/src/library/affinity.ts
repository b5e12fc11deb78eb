// Card-by-task affinity, computed once at config load.
//
// A card is known by its texts (description, each clause, capabilities, examples); a task type by
// its name + description and the centroid of its library prompts. A text's match with a task:
//
//   m(c, t) = w * cos(c, label_t) + (1 - w) * cos(c, centroid_t) - h * mean over t' of m0(c, t')
//
// (m0: the same without the last term; a text that matches every task alike, a hub such as
// "technical programming Q&A", says little about any one of them, so h times its mean is taken
// off). Relatedness is the best match over the card's texts, or with the task's group text:
//
//   rel(k, t) = max over texts c of card k of  max(m(c, t), max over G in groups(t) of g * cos(c, G) - h * mean m0(c, .))
//
// (groups(t): the text of the task's group, e.g. "Mathematics", where the taxonomy gives one, and of
// the further groups it is `also` in, e.g. an email is writing and an everyday chore; g < 1 so that a
// card naming the task itself beats one naming only its family). Within its own group with a text
// (not an `also` group), a card that names one member strongly claims its siblings too:
//
//   rel'(k, t) = max(rel(k, t), b * max over t' in group(t) of rel(k, t'))
//
// Optionally (smoothing > 0; off by default) relatedness is smoothed over related task types of the
// same group, weighted by how close the tasks' centroids are:
//
//   rel''(k, t) = (1 - s) * rel'(k, t) + s * sum over t' in group(t) of w(t, t') * rel'(k, t'),
//   w(t, .) = softmax over t' of cos(centroid_t, centroid_t') / smoothingTemperature
//
// and the affinity says which card claims a task, relative to the other cards:
//
//   A(k, t) = softmax over cards k of rel''(k, t) / temperature
//
// A task no card relates to (max_k rel < minRelatedness) is claimed by nobody (A = 1/K for every
// card: it moves no card's score). A card related to no task (max_t rel < minRelatedness) "fits no
// task type" and is scored by direct similarity alone (see TaskRouting). Defaults chosen on the
// development data only (scripts/tune-task-routing.mjs): w 0.5, h 1, g 0.8, b 0.4, s 0, temperature
// 0.05, minRelatedness 0.2.
import { dot } from '../vector.js';

export interface AffinityParams {
  /** Weight of the task's name + description against its centroid. */
  labelWeight: number;
  /** Softmax temperature over cards. */
  temperature: number;
  /** Below this best relatedness a task (or a card) fits nothing. */
  minRelatedness: number;
  /** Share of a task's relatedness taken from related tasks of its group (0: none). */
  smoothing: number;
  /** Softmax temperature over centroid cosines for the smoothing weights. */
  smoothingTemperature: number;
  /** Discount of the card's best match within the task's group (0: off); see `siblings`. */
  siblingWeight: number;
  /** Share of a card text's mean match over all tasks taken off its matches (0: off). */
  hubness: number;
  /** Discount of a match with the task's group text (0: groups unused). */
  groupWeight: number;
}

export const DEFAULT_AFFINITY_PARAMS: AffinityParams = {
  labelWeight: 0.5,
  temperature: 0.05,
  minRelatedness: 0.2,
  smoothing: 0,
  smoothingTemperature: 0.05,
  siblingWeight: 0.4,
  hubness: 1,
  groupWeight: 0.8,
};

export interface Affinity {
  /** rel[k][t] */
  relatedness: number[][];
  /** A[k][t]: each task's column sums to 1 over the cards. */
  affinity: number[][];
  /** Per card: false when its texts fit no task type. */
  cardFits: boolean[];
}

/**
 * @param cardTexts per card, its unit-norm text vectors
 * @param taskLabels per task, the unit-norm vector of "name: description"
 * @param taskCentroids per task, the unit-norm centroid of its prompts
 * @param taskGroups per task, its group (smoothing stays within a group)
 * @param groupLabels per task, the unit-norm vector of its group's text, if the group has one
 * @param alsoGroupLabels per task, the vectors of the further groups it belongs to (`also`): matched
 *   like its own group's text, but siblings are claimed within its own group only
 */
export function cardTaskAffinity(
  cardTexts: Float32Array[][],
  taskLabels: Float32Array[],
  taskCentroids: Float32Array[],
  params: AffinityParams = DEFAULT_AFFINITY_PARAMS,
  taskGroups?: string[],
  groupLabels?: Array<Float32Array | undefined>,
  alsoGroupLabels?: Float32Array[][],
): Affinity {
  const { labelWeight: w, temperature, minRelatedness, smoothing, groupWeight } = params;
  const K = cardTexts.length;
  const T = taskLabels.length;
  const raw = cardTexts.map((texts) => {
    // match[i][t] for each text i of the card. A text that matches every task alike (a hub such as
    // "technical programming Q&A") says little about any one of them: its mean match over all
    // tasks, times `hubness`, is taken off.
    const match = texts.map((c) => taskLabels.map((label, t) => w * dot(c, label) + (1 - w) * dot(c, taskCentroids[t]!)));
    const hub = match.map((m) => (params.hubness > 0 ? (params.hubness * m.reduce((a, b) => a + b, 0)) / Math.max(1, T) : 0));
    return taskLabels.map((_, t) => {
      const group = groupWeight > 0 ? groupLabels?.[t] : undefined;
      const also = groupWeight > 0 ? (alsoGroupLabels?.[t] ?? []) : [];
      let best = -1;
      texts.forEach((c, i) => {
        best = Math.max(best, match[i]![t]! - hub[i]!);
        if (group) best = Math.max(best, groupWeight * dot(c, group) - hub[i]!);
        for (const g of also) best = Math.max(best, groupWeight * dot(c, g) - hub[i]!);
      });
      return best;
    });
  });
  const sib = params.siblingWeight > 0 && taskGroups && groupLabels ? siblings(raw, taskGroups, groupLabels, params.siblingWeight) : raw;
  const rel = smoothing > 0 && taskGroups ? smooth(sib, taskCentroids, taskGroups, smoothing, params.smoothingTemperature) : sib;
  const affinity = rel.map(() => new Array<number>(T).fill(1 / Math.max(1, K)));
  for (let t = 0; t < T; t++) {
    const col = rel.map((r) => r[t]!);
    const top = Math.max(...col);
    if (!(top >= minRelatedness)) continue;
    const ex = col.map((r) => Math.exp((r - top) / temperature));
    const z = ex.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) affinity[k]![t] = ex[k]! / z;
  }
  const cardFits = rel.map((r) => Math.max(...r) >= minRelatedness);
  return { relatedness: rel, affinity, cardFits };
}

/**
 * rel'(k, t) = max(rel(k, t), b * max over t' in group(t) of rel(k, t')), for groups with a text
 * (coherent families such as mathematics; not the catch-all "domain" group): a card that names
 * one member of a family strongly ("math proofs") also claims its unnamed siblings ("calculus")
 * more than a card that matches them only weakly by chance.
 */
function siblings(rel: number[][], groups: string[], groupLabels: Array<Float32Array | undefined>, b: number): number[][] {
  return rel.map((row) => {
    const best = new Map<string, number>();
    row.forEach((r, t) => {
      if (groupLabels[t]) best.set(groups[t]!, Math.max(best.get(groups[t]!) ?? -1, r));
    });
    return row.map((r, t) => (groupLabels[t] ? Math.max(r, b * best.get(groups[t]!)!) : r));
  });
}

/** rel' = (1 - s) * rel + s * (centroid-similarity-weighted mean of rel over the task's group). */
function smooth(rel: number[][], centroids: Float32Array[], groups: string[], s: number, temperature: number): number[][] {
  const T = centroids.length;
  const weights = centroids.map((c, t) => {
    const same = [...Array(T).keys()].filter((u) => groups[u] === groups[t]);
    const sims = same.map((u) => dot(c, centroids[u]!));
    const top = Math.max(...sims);
    const ex = sims.map((x) => Math.exp((x - top) / temperature));
    const z = ex.reduce((a, b) => a + b, 0);
    return same.map((u, i) => [u, ex[i]! / z] as const);
  });
  return rel.map((row) => row.map((r, t) => (1 - s) * r + s * weights[t]!.reduce((a, [u, wt]) => a + wt * row[u]!, 0)));
}
