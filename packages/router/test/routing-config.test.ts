// Config loading and validation: the seed loads verbatim; bad configs report every error with its path.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/index.js';

const SEED = path.resolve(__dirname, '../../../test/reference/seed-router-config.yaml');

function issuesOf(yaml: string, env: Record<string, string> = {}) {
  try {
    parseConfig(yaml, { source: 'test.yaml', env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const BASE = `
version: v0.3
providers:
  defaults: { default_model: a }
  models:
    - { name: a, provider_model_id: model-a, pricing: { prompt_per_1m: 1, completion_per_1m: 2 } }
    - { name: b, provider_model_id: model-b }
routing:
  modelCards:
    - { name: a, description: first }
    - { name: b, description: second }
`;

describe('seed config', () => {
  it('loads the seed file verbatim, with no errors and no unknown-field warnings', async () => {
    const loaded = await loadConfig(SEED);
    const c = loaded.config;
    expect(c.version).toBe('v0.3');
    expect(c.providers.defaults?.default_model).toBe('qwen-coder');
    expect(c.providers.models.map((m) => [m.name, m.provider_model_id])).toEqual([
      ['qwen-coder', 'qwen2.5-coder:7b'],
      ['gpt-4o', 'gpt-4o'],
      ['gemini-flash', 'gemini-2.5-flash'],
    ]);
    expect(c.providers.models[0]!.backend_refs?.[0]?.endpoint).toBe('host.docker.internal:11434');
    expect(c.routing.modelCards.map((m) => m.name)).toEqual(['qwen-coder', 'gpt-4o', 'gemini-flash']);
    expect(c.routing.modelCards[1]!.description).toContain('math proofs');
    const mom = c.routing.decisions[0]!;
    expect(mom.name).toBe('MoM');
    expect(mom.priority).toBe(100);
    expect(mom.rules).toEqual({});
    expect(mom.modelRefs.map((r) => r.model)).toEqual(['qwen-coder', 'gpt-4o', 'gemini-flash']);
    expect(mom.algorithm?.type).toBe('multi_factor');
    const mf = mom.algorithm?.multi_factor as { weights: Record<string, number>; slo: Record<string, number> };
    expect(mf.weights).toEqual({ quality: 0.1, latency: 0.4, cost: 0.5 });
    expect(mf.slo.max_cost_per_1m).toBe(0.5);
    expect(loaded.warnings.filter((w) => w.message.startsWith('unknown field'))).toEqual([]);
    expect(loaded.configDir).toBe(path.dirname(SEED));
  });

  it('parses the same text given as a string', () => {
    const loaded = parseConfig(readFileSync(SEED, 'utf8'), { source: 'seed' });
    expect(loaded.config.routing.decisions).toHaveLength(1);
  });
});

describe('validation reports all errors with YAML paths', () => {
  it('collects reference, algorithm, weight and duplicate errors in one throw', () => {
    const issues = issuesOf(`${BASE}
    - { name: a, description: duplicate card }
  decisions:
    - name: d1
      modelRefs: [{ model: a }, { model: nope }, { model: b, weight: -2 }]
      algorithm: { type: best_guess }
    - name: d1
      modelRefs: [{ model: b }]
      algorithm:
        type: multi_factor
        multi_factor: { weights: { quality: -1, cost: 0.5 } }
`.replace('defaults: { default_model: a }', 'defaults: { default_model: zzz }'));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['providers.defaults.default_model']).toMatch(/"zzz".*neither/);
    expect(byPath['routing.modelCards[2].name']).toMatch(/duplicate model card name "a"/);
    expect(byPath['routing.decisions[0].modelRefs[1].model']).toMatch(/unknown model "nope".*known: a, b/);
    expect(byPath['routing.decisions[0].modelRefs[2].weight']).toMatch(/>= 0|too small/i);
    expect(byPath['routing.decisions[0].algorithm.type']).toMatch(/unknown algorithm type "best_guess"; expected one of: .*multi_factor/);
    expect(byPath['routing.decisions[0].algorithm.type']).toMatch(/elo/);
    expect(byPath['routing.decisions[1].name']).toMatch(/duplicate decision name "d1"/);
    expect(Object.keys(byPath)).toContain('routing.decisions[1].algorithm.multi_factor.weights.quality');
    expect(issues.length).toBeGreaterThanOrEqual(7);
  });

  it('gives line numbers for file issues', () => {
    const issues = issuesOf(`${BASE}  decisions:\n    - name: d\n      modelRefs: [{ model: ghost }]\n`);
    const ghost = issues.find((i) => i.path === 'routing.decisions[0].modelRefs[0].model');
    expect(ghost?.line).toBe(14);
  });

  it('rejects rules that name undeclared signals or unknown signal types, and bad operators', () => {
    const issues = issuesOf(`${BASE}
  signals:
    keywords: [{ name: code_words, keywords: [python] }]
  decisions:
    - name: d
      rules:
        operator: AND
        conditions:
          - { type: keyword, name: code_words }
          - { type: keyword, name: missing_words }
          - { type: vibes, name: x }
          - operator: XOR
            conditions: []
      modelRefs: [{ model: a }]
`);
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('routing.decisions[0].rules.conditions[1].name');
    expect(paths).toContain('routing.decisions[0].rules.conditions[2].type');
    expect(paths).toContain('routing.decisions[0].rules.conditions[3].operator');
    expect(issues.find((i) => i.path.endsWith('conditions[2].type'))!.message).toMatch(/expected one of: keyword, embedding, domain/);
  });

  it('validates strategy, signal fields and cache plugin fields', () => {
    const issues = issuesOf(`${BASE}
  strategy: fastest
  signals:
    embeddings: [{ name: e, candidates: [], threshold: 3 }]
    context: [{ name: long, min_tokens: lots }]
  decisions:
    - name: d
      modelRefs: [{ model: a }]
      plugins: [{ type: semantic-cache, mode: fuzzy, scope: header }]
`);
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'routing.strategy',
        'routing.signals.embeddings[0].candidates',
        'routing.signals.embeddings[0].threshold',
        'routing.signals.context[0].min_tokens',
        'routing.decisions[0].plugins[0].mode',
        'routing.decisions[0].plugins[0].scope_header',
      ]),
    );
    expect(issues.find((i) => i.path === 'routing.strategy')!.message).toMatch(/priority, confidence/);
  });

  it('reports YAML syntax errors with a line', () => {
    const issues = issuesOf('routing:\n  modelCards: [\n');
    expect(issues[0]!.message).toMatch(/YAML syntax/);
    expect(issues[0]!.line).toBeGreaterThan(0);
  });

  it('reports a missing file as a ConfigError', async () => {
    await expect(loadConfig('/nonexistent/semroute.yaml')).rejects.toThrow(/file not found/);
  });
});

describe('env expansion and warnings', () => {
  it('expands ${VAR} and ${VAR:-default}; an unset variable without default is an error at its path', () => {
    const text = `${BASE}embedding:\n  model_path: \${MODEL_DIR}\n  query_instruction: "\${INSTR:-Query: }"\n`;
    const ok = parseConfig(text, { env: { MODEL_DIR: '/models/x' } });
    expect(ok.config.embedding.model_path).toBe('/models/x');
    expect(ok.config.embedding.query_instruction).toBe('Query: ');
    const issues = issuesOf(text, {});
    expect(issues).toContainEqual(expect.objectContaining({ path: 'embedding.model_path', message: expect.stringMatching(/MODEL_DIR is not set/) }));
  });

  it('takes embedding.precision f32 (the default), bf16 or int8, and names the path of anything else', () => {
    expect(parseConfig(BASE).config.embedding.precision).toBe('f32');
    expect(parseConfig(`${BASE}embedding:\n  precision: bf16\n`).config.embedding.precision).toBe('bf16');
    expect(parseConfig(`${BASE}embedding:\n  precision: int8\n`).config.embedding.precision).toBe('int8');
    const issues = issuesOf(`${BASE}embedding:\n  precision: int4\n`, {});
    expect(issues).toContainEqual(expect.objectContaining({ path: 'embedding.precision', message: expect.stringMatching(/f32.*bf16.*int8/) }));
  });

  it('warns about unknown fields with their paths and still loads', () => {
    const loaded = parseConfig(
      `${BASE}  modelCardz: []\n  decisions:\n    - name: d\n      colour: blue\n      modelRefs: [{ model: a, wieght: 2 }]\n` +
        `      algorithm: { type: multi_factor, multi_factor: { wieghts: { quality: 1 } }, elo: {} }\n`,
    );
    const paths = loaded.warnings.map((w) => w.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'routing.modelCardz',
        'routing.decisions[0].colour',
        'routing.decisions[0].modelRefs[0].wieght',
        'routing.decisions[0].algorithm.multi_factor.wieghts',
        'routing.decisions[0].algorithm.elo',
      ]),
    );
  });

  it('fills defaults: strategy, prompt source, state and cache backends, token counts', () => {
    const loaded = parseConfig(`${BASE}  signals:\n    context: [{ name: long, min_tokens: 4K, max_tokens: "1.5M" }]\n`);
    const c = loaded.config;
    expect(c.routing.strategy).toBe('priority');
    expect(c.routing.prompt_source).toEqual({ mode: 'last_user', include_system: false, window: 6 });
    expect(c.state.backend).toBe('memory');
    expect(c.cache.backend).toBe('memory');
    expect(c.routing.signals.context[0]).toMatchObject({ min_tokens: 4000, max_tokens: 1_500_000 });
  });
});

describe('model path', () => {
  it('config path relative to the config dir, else the given default, else a MODEL_LOAD_FAILED error (no env, no repo lookup)', async () => {
    const { resolveModelPath } = await import('../src/index.js');
    expect(resolveModelPath('m/x', '/etc/semroute')).toBe('/etc/semroute/m/x');
    expect(resolveModelPath(undefined, '/etc', '/opt/model')).toBe('/opt/model');
    const saved = process.env.SEMROUTE_MODEL_DIR;
    try {
      process.env.SEMROUTE_MODEL_DIR = '/srv/minilm';
      expect(() => resolveModelPath(undefined, '/etc')).toThrow(expect.objectContaining({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/embedding\.model_path/) }));
    } finally {
      if (saved === undefined) delete process.env.SEMROUTE_MODEL_DIR;
      else process.env.SEMROUTE_MODEL_DIR = saved;
    }
  });
});
