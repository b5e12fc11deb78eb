// A router config whose three models are served by mock upstream behaviours, and a bag-of-words
// embedder so the tests need no model files.
import type { EmbeddingBatch, TextEmbedder } from '@semroute/router';

/** Hashes words into a 128-d unit vector: texts sharing words get cosine > 0. */
export class WordsEmbedder implements TextEmbedder {
  readonly info = { architecture: 'words', dim: 128, maxSeqLen: 512, supportsBatched: true };
  async embed(texts: string[]): Promise<EmbeddingBatch> {
    const dim = 128;
    const data = new Float32Array(texts.length * dim);
    texts.forEach((t, r) => {
      const row = data.subarray(r * dim, (r + 1) * dim);
      for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
        let h = 2166136261;
        for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
        row[(h >>> 0) % dim]! += 1;
      }
      const n = Math.hypot(...row) || 1;
      for (let i = 0; i < dim; i++) row[i]! /= n;
    });
    return { data, dim, truncated: [] };
  }
}

export type Behaviour = 'ok' | 'fail' | 'slow' | 'hang' | 'gated' | 'closed' | 'echo' | 'echo401' | 'echotext';

/** coder / writer / helper cards; each model's backend is `<mock>/<behaviour>/v1`. */
export function proxyConfig(mock: string, b: { coder: Behaviour; writer: Behaviour; helper: Behaviour }, closedPort = 9, cache = false) {
  const base = (x: Behaviour) => (x === 'closed' ? `http://127.0.0.1:${closedPort}/v1` : `${mock}/${x}/v1`);
  return {
    version: 'v0.3',
    providers: {
      models: [
        { name: 'coder', provider_model_id: 'coder-7b', backend_refs: [{ name: 'coder-backend', base_url: base(b.coder), api_key_env: 'TEST_CODER_KEY' }] },
        { name: 'writer', provider_model_id: 'writer-70b', backend_refs: [{ name: 'writer-backend', base_url: base(b.writer) }] },
        { name: 'helper', provider_model_id: 'helper-1b', backend_refs: [{ name: 'helper-backend', base_url: base(b.helper) }] },
      ],
    },
    routing: {
      // The bundled task library needs a real embedding model; these tests route on the cards alone.
      task_library: { enabled: false },
      modelCards: [
        { name: 'coder', description: 'python code function programming debugging algorithms' },
        { name: 'writer', description: 'essay poem story writing prose' },
        { name: 'helper', description: 'weather capital country facts trivia' },
      ],
      decisions: [
        {
          name: 'MoM',
          priority: 1,
          rules: {},
          modelRefs: [{ model: 'coder', weight: 3 }, { model: 'writer', weight: 2 }, { model: 'helper', weight: 1 }],
          algorithm: { type: 'static' },
          ...(cache ? { plugins: [{ type: 'semantic-cache', mode: 'exact', scope: 'header', scope_header: 'x-user-id' }] } : {}),
        },
      ],
    },
  };
}
