// Config errors are always ConfigError with a YAML path (and a line where the YAML has one):
// alias and anchor problems, duplicate keys, cycles, excessive nesting, reserved names. Values from
// the environment never appear in a message.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createRouter, loadConfig, parseConfig, validateConfig, type ConfigIssue, type EmbeddingBatch, type TextEmbedder } from '../src/index.js';

const BASE = `providers:
  defaults: {default_model: m}
  models:
    - name: m
    - name: n
routing:
  modelCards:
    - name: m
    - name: n
  decisions:
    - name: d
      modelRefs: [{model: m}, {model: n}]
`;

function formatIssuesOf(text: string): string {
  try {
    parseConfig(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toMatch(/call stack|circular structure|undefined/i);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('YAML errors', () => {
  it('reports a recursive alias with its path and line, not a stack overflow', () => {
    expect(issuesOf(() => parseConfig('a: &a [*a]\n'))).toEqual([{ path: 'a[0]', line: 1, message: 'YAML alias *a is inside the node anchored &a (a recursive alias)' }]);
    const nested = issuesOf(() => parseConfig(`${BASE}  signals:\n    keywords:\n      - &k {name: x, keywords: [*k]}\n`));
    expect(nested).toEqual([expect.objectContaining({ path: 'routing.signals.keywords[0].keywords[0]', line: 15 })]);
  });

  it('reports an undefined alias with its path and line', () => {
    const issues = issuesOf(() => parseConfig(`${BASE}    - name: e\n      modelRefs: *refs\n`));
    expect(issues).toEqual([{ path: 'routing.decisions[1].modelRefs', line: 14, message: 'YAML alias *refs names no anchor defined before it (&refs)' }]);
  });

  it('accepts anchors and aliases used properly', () => {
    const text = `${BASE.replace('modelRefs: [{model: m}, {model: n}]', 'modelRefs: &refs [{model: m}, {model: n}]')}    - name: e\n      modelRefs: *refs\n`;
    const loaded = parseConfig(text);
    expect(loaded.config.routing.decisions.map((d) => d.modelRefs.length)).toEqual([2, 2]);
  });

  it('reports duplicate keys with the path of the duplicate and its line', () => {
    const issues = issuesOf(() => parseConfig(BASE.replace('    - name: n\nrouting', '    - name: n\n      name: o\nrouting')));
    expect(issues).toEqual([expect.objectContaining({ path: 'providers.models[1].name', line: 6 })]);
    expect(issues[0]!.message).toMatch(/Map keys must be unique/);
  });

  it('refuses an alias bomb (billion laughs) quickly', () => {
    const lines = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (const [n, p] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) lines.push(`${n}: &${n} [${Array(10).fill(`*${p}`).join(',')}]`);
    const t0 = performance.now();
    const issues = issuesOf(() => parseConfig(lines.join('\n')));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(issues[0]!.message).toMatch(/Excessive alias count/);
    // The alias that crossed the limit, with its YAML path and line (not `(root) (line 1)`).
    expect(issues).toEqual([expect.objectContaining({ path: 'c[8]', line: 3, message: expect.stringMatching(/^YAML alias \*b expands past the limit of 100/) })]);
  });

  it('reports an alias bomb deep in the config at the alias that crosses the limit', () => {
    const text = `${BASE}  signals:\n    keywords:\n      - &k {name: x, keywords: [a, b, c, d, e, f, g, h, i, j]}\n      - &l [${Array(10).fill('*k').join(', ')}]\n      - [${Array(10).fill('*l').join(', ')}]\n`;
    const issues = issuesOf(() => parseConfig(text));
    expect(issues).toEqual([expect.objectContaining({ path: 'routing.signals.keywords[2][8]', line: 17, message: expect.stringMatching(/^YAML alias \*l expands/) })]);
    expect(formatIssuesOf(text)).not.toContain('(root)');
  });

  it('refuses nesting too deep to parse, and nesting deeper than any config', () => {
    const deep = issuesOf(() => parseConfig(`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`));
    expect(deep).toEqual([{ path: '', line: 1, message: 'YAML nested too deeply to read (a config is a few levels deep)' }]);
    const hundred = issuesOf(() => parseConfig(`${BASE}extra: ${'['.repeat(100)}${']'.repeat(100)}\n`));
    expect(hundred).toEqual([expect.objectContaining({ message: 'nested more than 64 levels deep', line: 13 })]);
  });

  it('reports a cycle in a config object built in code', () => {
    const cfg = parseConfig(BASE).config as unknown as Record<string, unknown>;
    const raw = { routing: { modelCards: [{ name: 'm' }] } } as Record<string, unknown>;
    (raw.routing as Record<string, unknown>).loop = raw;
    expect(issuesOf(() => validateConfig(raw))).toEqual([{ path: 'routing.loop', message: 'the config refers to itself here (a cycle): a config must be a tree' }]);
    expect(cfg).toBeDefined();
  });
});

describe('reserved names', () => {
  it.each([
    ['a card named __proto__', BASE.replace('  modelCards:\n    - name: m', '  modelCards:\n    - name: __proto__'), 'routing.modelCards[0].name', 8],
    ['a decision named constructor', BASE.replace('    - name: d', '    - name: constructor'), 'routing.decisions[0].name', 11],
    ['a provider model named prototype', BASE.replace('    - name: n\nrouting', '    - name: prototype\nrouting'), 'providers.models[1].name', 5],
    ['a modelRef to __proto__', BASE.replace('{model: n}', '{model: __proto__}'), 'routing.decisions[0].modelRefs[1].model', 12],
    ['a default_model of constructor', BASE.replace('default_model: m', 'default_model: constructor'), 'providers.defaults.default_model', 2],
    ['an auto model name of __proto__', `${BASE}  auto_model_names: [MoM, __proto__]\n`, 'routing.auto_model_names[1]', 13],
  ])('rejects %s with its path', (_what, text, where, line) => {
    const issues = issuesOf(() => parseConfig(text));
    expect(issues).toContainEqual(expect.objectContaining({ path: where, line, message: expect.stringMatching(/is a reserved name/) }));
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects %s as a mapping key, from YAML and from JSON', (key) => {
    const yamlIssues = issuesOf(() => parseConfig(`${BASE}  signals:\n    ${key}: {a: 1}\n`));
    expect(yamlIssues).toEqual([{ path: `routing.signals.${key}`, line: 14, message: `"${key}" is a reserved name and cannot be a key` }]);
    const json = JSON.parse(`{"routing": {"modelCards": [{"name": "m", "${key}": {"x": 1}}]}}`) as unknown;
    expect(issuesOf(() => validateConfig(json))).toEqual([{ path: `routing.modelCards[0].${key}`, message: `"${key}" is a reserved name and cannot be a key` }]);
  });
  it.each([
    ['a card name', BASE.replace('  modelCards:\n    - name: m', '  modelCards:\n    - name: "${CARD}"'), 'routing.modelCards[0].name', 8],
    ['a decision name', BASE.replace('    - name: d', '    - name: "${CARD}"'), 'routing.decisions[0].name', 11],
    ['a modelRef', BASE.replace('{model: n}', '{model: "${CARD}"}'), 'routing.decisions[0].modelRefs[1].model', 12],
  ])('rejects a reserved name arriving through ${ENV} in %s, with its path and the value redacted', (_what, text, where, line) => {
    for (const value of ['__proto__', 'constructor', 'prototype']) {
      const err = (() => {
        try {
          parseConfig(text, { env: { CARD: value } });
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error(`accepted ${value}`);
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.issues).toContainEqual(expect.objectContaining({ path: where, line, message: '"[redacted $CARD]" (from the environment) is a reserved name and cannot name anything' }));
      expect(JSON.stringify(err.issues)).not.toContain(value);
    }
  });
  it('reports a literal reserved name once when the config also uses ${ENV} elsewhere', () => {
    const text = BASE.replace('  modelCards:\n    - name: m', '  modelCards:\n    - name: constructor\n      description: "${DESC}"');
    const issues = issuesOf(() => parseConfig(text, { env: { DESC: 'a model' } }));
    expect(issues.filter((i) => i.path === 'routing.modelCards[0].name')).toEqual([expect.objectContaining({ message: expect.stringMatching(/^"constructor" is a reserved name \(/) })]);
  });
});

describe('environment values in messages', () => {
  const SECRET = 'sk-live-7f3a9c1e5b2d';
  const env = { API_KEY: SECRET, SHORT: 'ab' };

  it('never echoes an API key put in the wrong field', () => {
    const cases = [
      BASE.replace('default_model: m', 'default_model: "${API_KEY}"'),
      BASE.replace('{model: n}', '{model: "${API_KEY}"}'),
      `${BASE}      algorithm: {type: "\${API_KEY}"}\n`,
      `${BASE}state: {backend: "\${API_KEY}"}\n`,
      `${BASE}  strategy: "x-\${API_KEY}-y"\n`,
      BASE.replace('    - name: d', '    - name: ${API_KEY}\n      modelRefs: [{model: m}]\n    - name: ${API_KEY}'),
      `${BASE}  signals:\n    keywords: [{name: k, keywords: [a]}]\n      \n`.replace('keywords: [{name: k', 'keywords: [{name: k, operator: "${API_KEY}"') ,
    ];
    for (const text of cases) {
      let err: ConfigError | undefined;
      try {
        parseConfig(text, { env });
      } catch (e) {
        err = e as ConfigError;
      }
      expect(err, text).toBeInstanceOf(ConfigError);
      expect(err!.message).not.toContain(SECRET);
      expect(JSON.stringify(err!.issues)).not.toContain(SECRET);
      expect(err!.message).toMatch(/\[redacted \$API_KEY\]|expected one of|Invalid/);
    }
  });

  it('names the variable instead of the value, and redacts quoted short values', () => {
    const issues = issuesOf(() => parseConfig(BASE.replace('default_model: m', 'default_model: "${API_KEY}"'), { env }));
    expect(issues).toEqual([expect.objectContaining({ path: 'providers.defaults.default_model', line: 2, message: expect.stringContaining('default model "[redacted $API_KEY]" is neither') })]);
    const short = issuesOf(() => parseConfig(BASE.replace('{model: n}', '{model: "${SHORT}"}'), { env }));
    expect(short[0]!.message).toContain('unknown model "[redacted $SHORT]"');
    expect(short[0]!.message).not.toContain('"ab"');
  });

  it('redacts warnings too', () => {
    const loaded = parseConfig(`${BASE.replace('  modelCards:\n    - name: m', '  modelCards:\n    - name: m\n    - name: ${API_KEY}')}`, { env });
    const text = JSON.stringify(loaded.warnings);
    expect(text).toContain('[redacted $API_KEY]');
    expect(text).not.toContain(SECRET);
  });

  it('redacts environment values from errors raised while building the router (after validation)', async () => {
    const secretDir = `/nonexistent/${SECRET}`;
    const embedder: TextEmbedder = {
      info: { architecture: 'fake', dim: 4, maxSeqLen: 64, supportsBatched: true },
      async embed(texts: string[]): Promise<EmbeddingBatch> {
        return { data: new Float32Array(texts.length * 4).fill(0.5), dim: 4, truncated: [] };
      },
    };
    // A trained selector's model file (a ConfigError from building the decision).
    const knn = parseConfig(`${BASE}      algorithm: {type: knn, knn: {model_path: "\${MODEL_DIR}/knn.json"}}\n`, { env: { MODEL_DIR: secretDir } });
    const err1 = await createRouter({ config: knn, embedder, cacheDir: false }).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(ConfigError);
    expect(JSON.stringify((err1 as ConfigError).issues)).toContain('[redacted $MODEL_DIR]');
    expect(JSON.stringify((err1 as ConfigError).issues)).not.toContain(SECRET);
    expect((err1 as Error).message).not.toContain(SECRET);
    // The embedding model directory (a RouterError with a cause).
    const model = parseConfig(`${BASE}embedding: {model_path: "\${MODEL_DIR}"}\n`, { env: { MODEL_DIR: secretDir } });
    const err2 = await createRouter({ config: model, cacheDir: false }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect((err2 as Error).message).toContain('[redacted $MODEL_DIR]');
    for (let e: unknown = err2; e instanceof Error; e = e.cause) {
      expect(e.message).not.toContain(SECRET);
      expect(e.stack ?? '').not.toContain(SECRET);
    }
  });

  it('loads a file and reports its path with the line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'semroute-cfg-'));
    const file = path.join(dir, 'router.yaml');
    writeFileSync(file, 'routing:\n  decisions: *missing\n');
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`${file}: 1 error\n  routing.decisions (line 2): YAML alias *missing names no anchor defined before it (&missing)`);
  });
});

describe('mapping keys', () => {
  it('rejects a list or mapping used as a key, with its path and line', () => {
    const issues = issuesOf(() => parseConfig(`${BASE}  signals:\n    ? [a, b]\n    : 1\n`));
    expect(issues).toEqual([{ path: 'routing.signals', line: 14, message: 'a mapping key must be a plain name, not a list or a mapping' }]);
  });
});

describe('environment references', () => {
  it('treats ${__proto__} and ${constructor} as unset variables, not as Object.prototype', () => {
    const issues = issuesOf(() => parseConfig(BASE.replace('default_model: m', 'default_model: "${__proto__}${constructor}"'), { env: {} }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'providers.defaults.default_model', message: 'environment variable __proto__ is not set (in ${__proto__})' }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'providers.defaults.default_model', message: 'environment variable constructor is not set (in ${constructor})' }));
    expect(JSON.stringify(issues)).not.toMatch(/\[object Object\]|function Object/);
  });
});
