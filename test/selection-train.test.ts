// `semroute train` end to end with a fake embedder: JSONL -> model file -> a router whose decision uses it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrain, type TrainCommandOptions } from '../packages/cli/src/commands/train.js';
import { createRouter, parseModelFile } from '../packages/router/src/index.js';
import { chat, FakeEmbedder } from '../packages/router/test/routing-helpers.js';

const SEED = new URL('./reference/seed-router-config.yaml', import.meta.url).pathname;
const DATA = new URL('../bench/train/seed-train.jsonl', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semroute-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

async function train(opts: Partial<TrainCommandOptions>) {
  const c = capture();
  const code = await runTrain(
    { config: SEED, algorithm: 'knn', data: DATA, out: join(dir, 'knn.json'), seed: 42, ...opts },
    c.io,
    { embedder: new FakeEmbedder(), env: {} },
  );
  return { code, ...c };
}

describe('semroute train', () => {
  it.each(['knn', 'kmeans', 'svm', 'mlp'] as const)('writes a valid %s model from the seed training set', async (algorithm) => {
    const out = join(dir, `${algorithm}.json`);
    const r = await train({ algorithm, out, epochs: algorithm === 'mlp' ? 60 : undefined });
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out[0]!);
    expect(summary).toMatchObject({ algorithm, examples: 90, labels: ['gemini-flash', 'gpt-4o', 'qwen-coder'], dim: 128 });
    expect(summary.use).toEqual({ algorithm: { type: algorithm, [algorithm]: { model_path: expect.stringMatching(new RegExp(`${algorithm}\\.json$`)) } } });
    // Above chance (1/3) on hashed bag-of-words vectors; kmeans is unsupervised, so its clusters fit the labels least.
    expect(summary.training_accuracy).toBeGreaterThan(algorithm === 'kmeans' ? 0.4 : 0.6);
    expect(parseModelFile(JSON.parse(await readFile(out, 'utf8')), out).training).toMatchObject({ examples: 90, seed: 42, embedder: 'fake-bow/128' });
  });

  it('produces a model a YAML decision can route with', async () => {
    await train({ algorithm: 'knn', out: join(dir, 'knn.json') });
    const yaml = (await readFile(SEED, 'utf8')).replace(
      /algorithm:[\s\S]*$/,
      'algorithm:\n        type: knn\n        knn:\n          model_path: knn.json\n          k: 3\n',
    );
    const configPath = join(dir, 'config.yaml');
    await writeFile(configPath, yaml);
    const router = await createRouter({ config: configPath, embedder: new FakeEmbedder() });
    try {
      const d = await router.route(chat('Write a Python function with unit tests that parses dates and fix the bug in my script'));
      expect(d.algorithm).toBe('knn');
      expect(d.selectedModel).toBe('qwen-coder');
    } finally {
      await router.close();
    }
  });

  it('rejects labels that are not cards, unreadable data and bad lines', async () => {
    await writeFile(join(dir, 'bad-label.jsonl'), '{"text":"hello","model":"llama"}\n');
    const bad = await train({ data: join(dir, 'bad-label.jsonl') });
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/labels "llama" are not model cards of the config/);

    const missing = await train({ data: join(dir, 'absent.jsonl') });
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toMatch(/cannot read .*absent\.jsonl: file not found/);

    await writeFile(join(dir, 'bad-line.jsonl'), '{"text":"hello","model":"gpt-4o"}\n{"text":3}\n');
    const line = await train({ data: join(dir, 'bad-line.jsonl') });
    expect(line.code).toBe(1);
    expect(line.err.join('\n')).toMatch(/bad-line\.jsonl:2: needs a non-empty "text"/);
  });
});
