// Task-aware scoring on hand-made vectors: the neighbour vote, the card-task affinity and the
// blend with direct similarity (formulas in docs/selection.md).
import { describe, expect, it } from 'vitest';
import { TaskIndex } from '../src/library/task-index.js';
import { cardTaskAffinity } from '../src/library/affinity.js';
import { TaskRouting, DEFAULT_TASK_ROUTING_PARAMS } from '../src/library/task-routing.js';
import { dot, normalize } from '../src/vector.js';
import { anisotropyMean, ANISOTROPY_LIMIT } from '../src/library/index.js';

const v = (...xs: number[]) => normalize(Float32Array.from(xs));

describe('TaskIndex', () => {
  const protos = [v(1, 0, 0), v(0.9, 0.1, 0), v(0, 1, 0), v(0.1, 0.9, 0), v(0, 0, 1)];
  const labels = [0, 0, 1, 1, 2];
  it('puts the mass on the task whose prototypes are nearest', () => {
    const idx = new TaskIndex(protos, labels, 3, 3, { k: 3, knnTemperature: 0.05, centroidTemperature: 0.05, knnWeight: 0.7, shortlist: 3 });
    const { probs } = idx.distribution(v(1, 0.05, 0));
    expect(probs[0]!).toBeGreaterThan(0.9);
    expect(probs[0]! + probs[1]! + probs[2]!).toBeCloseTo(1, 6);
    expect(idx.count(0)).toBe(2);
  });
  it('only searches the shortlisted tasks (the closest centroids)', () => {
    const idx = new TaskIndex(protos, labels, 3, 3, { k: 5, knnTemperature: 0.05, centroidTemperature: 0.05, knnWeight: 1, shortlist: 1 });
    const { probs } = idx.distribution(v(0.2, 1, 0));
    expect(probs[1]).toBeCloseTo(1, 6);
  });
  it('a task without prototypes gets no mass', () => {
    const idx = new TaskIndex(protos, labels, 4, 3);
    expect(idx.distribution(v(0, 0, 1)).probs[3]).toBe(0);
  });
});

describe('cardTaskAffinity', () => {
  const labels = [v(1, 0, 0), v(0, 1, 0), v(0, 0, 1)];
  const centroids = labels;
  it('each task is claimed by the card whose best text matches it; columns sum to 1', () => {
    const a = cardTaskAffinity([[v(1, 0.1, 0)], [v(0.1, 1, 0)]], labels, centroids, { labelWeight: 0.5, temperature: 0.03, minRelatedness: 0.3 });
    expect(a.affinity[0]![0]!).toBeGreaterThan(0.99);
    expect(a.affinity[1]![1]!).toBeGreaterThan(0.99);
    for (let t = 0; t < 3; t++) expect(a.affinity[0]![t]! + a.affinity[1]![t]!).toBeCloseTo(1, 9);
    // Task 2 relates to no card: nobody claims it.
    expect(a.affinity[0]![2]).toBeCloseTo(0.5, 9);
    expect(a.cardFits).toEqual([true, true]);
  });
  it('a card related to no task does not fit', () => {
    const a = cardTaskAffinity([[v(1, 0, 0)], [v(-1, -1, -1)]], labels, centroids);
    expect(a.cardFits).toEqual([true, false]);
  });

  const base = { labelWeight: 1, temperature: 0.05, minRelatedness: 0, smoothing: 0, smoothingTemperature: 0.05, siblingWeight: 0, hubness: 0, groupWeight: 0 };
  it('hubness: a text that matches every task alike loses to one that names the task', () => {
    const l4 = [v(1, 0, 0, 0), v(0, 1, 0, 0), v(0, 0, 1, 0)];
    const hub = [v(1, 1, 1, 0)]; // cos 0.58 with every task
    const specific = [v(0.5, 0, 0, 0.866)]; // cos 0.5 with task 0 only
    const off = cardTaskAffinity([hub, specific], l4, l4, base);
    expect(off.affinity[0]![0]!).toBeGreaterThan(0.5);
    const on = cardTaskAffinity([hub, specific], l4, l4, { ...base, hubness: 1 });
    expect(on.affinity[1]![0]!).toBeGreaterThan(0.99);
    expect(on.relatedness[0]![0]).toBeCloseTo(0, 6); // 0.58 - mean 0.58
  });
  it('siblings: a card naming one member of a family strongly claims the others', () => {
    const strong = [v(1, 0, 0)]; // task 0 exactly
    const weak = [v(0.3, 0.5, 0.8)]; // task 1 weakly (cos 0.51)
    const groups = ['math', 'math', 'other'];
    const groupLabels = [v(1, 1, 0), v(1, 1, 0), undefined];
    const off = cardTaskAffinity([strong, weak], labels, centroids, base, groups, groupLabels);
    expect(off.affinity[1]![1]!).toBeGreaterThan(0.99);
    const on = cardTaskAffinity([strong, weak], labels, centroids, { ...base, siblingWeight: 0.6 }, groups, groupLabels);
    expect(on.affinity[0]![1]!).toBeGreaterThan(0.8);
    expect(on.relatedness[0]![1]).toBeCloseTo(0.6, 6);
    // Task 2's group has no text: no sibling claim there.
    expect(on.relatedness[0]![2]).toBeCloseTo(0, 6);
  });
  it('also-groups: a card naming a further group of a task claims it; siblings spread within the own group only', () => {
    const everyday = v(0, 0.6, 0.8); // the text of an "everyday" group that task 1 is also in
    const chores = [everyday]; // a card that names everyday chores only
    const other = [v(0.2, 0.2, 0.2)];
    const groups = ['writing', 'writing', 'other'];
    const groupLabels = [v(1, 1, 0), v(1, 1, 0), undefined];
    const params = { ...base, groupWeight: 0.8, siblingWeight: 0.6 };
    const without = cardTaskAffinity([chores, other], labels, centroids, params, groups, groupLabels);
    const withAlso = cardTaskAffinity([chores, other], labels, centroids, params, groups, groupLabels, [[], [everyday], []]);
    expect(withAlso.relatedness[0]![1]).toBeCloseTo(0.8, 6); // g * cos(card, everyday)
    expect(withAlso.relatedness[0]![1]!).toBeGreaterThan(without.relatedness[0]![1]!);
    expect(withAlso.affinity[0]![1]!).toBeGreaterThan(without.affinity[0]![1]!);
    // Task 0 shares task 1's own group: b times task 1's relatedness (0.6 * 0.8), not the also-group match itself.
    expect(withAlso.relatedness[0]![0]).toBeCloseTo(0.48, 6);
    // Task 2 is in a group without text: neither the also-group nor siblings reach it.
    expect(withAlso.relatedness[0]![2]).toBeCloseTo(without.relatedness[0]![2]!, 6);
  });
});

describe('TaskRouting', () => {
  const tasks = [
    { id: 'code', group: 'g', name: 'Code', description: 'code' },
    { id: 'chat', group: 'g', name: 'Chat', description: 'chat' },
  ];
  const prompts = [
    { text: 'c1', task: 0, source: 't' },
    { text: 'c2', task: 0, source: 't' },
    { text: 'h1', task: 1, source: 't' },
    { text: 'h2', task: 1, source: 't' },
  ];
  const pv = [v(1, 0, 0, 0), v(1, 0.2, 0, 0), v(0, 1, 0, 0), v(0, 1, 0.2, 0)];
  const labels = [v(1, 0, 0, 0), v(0, 1, 0, 0)];
  const cards = [
    { name: 'coder', texts: [v(1, 0, 0, 0.3)], examples: [] },
    { name: 'chatty', texts: [v(0, 1, 0, 0.3)], examples: [] },
    { name: 'odd', texts: [v(0, 0, 0, 1)], examples: [v(0, 0, 1, 0)] },
  ];
  const tr = new TaskRouting({ tasks, prompts }, pv, labels, cards, 4, DEFAULT_TASK_ROUTING_PARAMS);

  it('task evidence outweighs a misleading direct similarity', () => {
    // Direct similarity says chatty; the prompt's neighbours are code prompts.
    const s = tr.score(v(1, 0.1, 0, 0), (c) => (c === 'chatty' ? 0.3 : 0.1));
    expect(s.fit.get('coder')!).toBeGreaterThan(s.fit.get('chatty')!);
    expect(s.top[0]!.task.id).toBe('code');
    expect(s.top[0]!.score).toBeGreaterThan(0.5);
  });

  it("a card's own examples are its prototypes", () => {
    const s = tr.score(v(0, 0, 1, 0), () => 0);
    expect([...s.fit.entries()].sort((a, b) => b[1] - a[1])[0]![0]).toBe('odd');
  });

  it('equal evidence: direct similarity decides', () => {
    const flat = new TaskRouting({ tasks, prompts }, pv, labels, cards, 4, { ...DEFAULT_TASK_ROUTING_PARAMS, lambda: 0 });
    const s = flat.score(v(1, 0, 0, 0), (c) => (c === 'chatty' ? 0.3 : 0.1));
    expect(s.fit.get('chatty')).toBeCloseTo(0.3, 9);
  });
});

describe('anisotropyMean', () => {
  const rows = (vs: Float32Array[]) => {
    const out = new Float32Array(vs.length * vs[0]!.length);
    vs.forEach((x, i) => {
      out.set(x, i * x.length);
    });
    return out;
  };
  it('leaves a near-isotropic space alone (unrelated texts near cosine 0)', () => {
    const vs = [v(1, 0, 0, 0), v(0, 1, 0, 0), v(0, 0, 1, 0), v(0, 0, 0, 1), v(-1, 0, 0, 0), v(0, -1, 0, 0)];
    expect(anisotropyMean(rows(vs), 4, vs.length)).toBeUndefined();
  });
  it('returns the mean of a narrow cone (every text at cosine ~0.8 with every other), and centring spreads it', () => {
    const axis = [1, 0, 0, 0];
    const vs = [1, 2, 3].map((j) => v(...axis.map((a, i) => 2 * a + (i === j ? 1 : 0)))); // cos 0.8 pairwise
    const m = anisotropyMean(rows(vs), 4, vs.length);
    expect(m).toBeDefined();
    expect(m![0]!).toBeCloseTo(2 / Math.sqrt(5), 6);
    expect(ANISOTROPY_LIMIT).toBeLessThan(0.8);
    // Centred, the three directions are apart again (cosine -0.5 between the off-axis parts).
    const c = vs.map((x) => normalize(Float32Array.from(x, (xi, i) => xi - m![i]!)));
    expect(dot(c[0]!, c[1]!)).toBeCloseTo(-0.5, 5);
  });
  it('needs at least two vectors', () => {
    expect(anisotropyMean(v(1, 0), 2, 1)).toBeUndefined();
  });
});
