// Card-by-task affinity, computed once at config load.
//
// A card is known by its texts (description, each clause, capabilities, examples); a task type by
// its name + description and the centroid of its library prompts. Their relatedness is the best
// match over the card's texts:
//
//   rel(k, t) = max over texts c of card k of  max(w * cos(c, label_t) + (1 - w) * cos(c, centroid_t),
//                                                   g * cos(c, group_t))
//
// (group_t: the text of the task's group, e.g. "Mathematics", where the taxonomy gives one; g < 1
// so that a card naming the task itself beats one naming only its family);
// smoothed over related task types of the same group (a card that names "math proofs" also
// relates to calculus; one that names "quick lookups" to definitions), with weights from how close
// the tasks' centroids are:
//
//   rel'(k, t) = (1 - s) * rel(k, t) + s * sum over t' in group(t) of w(t, t') * rel(k, t'),
//   w(t, .) = softmax over t' of cos(centroid_t, centroid_t') / smoothingTemperature
//
// and the affinity says which card claims a task, relative to the other cards:
//
//   A(k, t) = softmax over cards k of rel'(k, t) / temperature
//
// A task no card relates to (max_k rel(k, t) < minRelatedness) is claimed by nobody (A = 1/K for
// every card: it moves no card's score). A card related to no task (max_t rel(k, t) < minRelatedness)
// "fits no task type" and is scored by direct similarity alone (see TaskRouting).
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
  /** Discount of a match with the task's group text (0: groups unused). */
  groupWeight: number;
}

export const DEFAULT_AFFINITY_PARAMS: AffinityParams = {
  labelWeight: 0.7,
  temperature: 0.05,
  minRelatedness: 0.2,
  smoothing: 0,
  smoothingTemperature: 0.05,
  groupWeight: 0.6,
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
 */
export function cardTaskAffinity(
  cardTexts: Float32Array[][],
  taskLabels: Float32Array[],
  taskCentroids: Float32Array[],
  params: AffinityParams = DEFAULT_AFFINITY_PARAMS,
  taskGroups?: string[],
  groupLabels?: Array<Float32Array | undefined>,
): Affinity {
  const { labelWeight: w, temperature, minRelatedness, smoothing, groupWeight } = params;
  const K = cardTexts.length;
  const T = taskLabels.length;
  const raw = cardTexts.map((texts) =>
    taskLabels.map((label, t) => {
      const group = groupWeight > 0 ? groupLabels?.[t] : undefined;
      let best = -1;
      for (const c of texts) {
        best = Math.max(best, w * dot(c, label) + (1 - w) * dot(c, taskCentroids[t]!));
        if (group) best = Math.max(best, groupWeight * dot(c, group));
      }
      return best;
    }),
  );
  const rel = smoothing > 0 && taskGroups ? smooth(raw, taskCentroids, taskGroups, smoothing, params.smoothingTemperature) : raw;
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
