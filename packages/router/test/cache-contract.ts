// Behaviour every response-cache backend must have; run by cache-memory and cache-redis tests.
import { describe, expect, it } from 'vitest';
import type { ResponseCache } from '../src/cache/index.js';
import type { CacheSettings } from '../src/cache/types.js';
import { answer, ask, axis, settings, TableEmbedder, textOf, tilted } from './cache-fixtures.js';

export interface MakeCacheOptions {
  settings: Record<string, CacheSettings>;
  embedder: TableEmbedder;
  onError?: (kind: string, err: unknown) => void;
}

export type MakeCache = (o: MakeCacheOptions) => Promise<ResponseCache>;

const table = {
  'How do I reverse a list in Python?': axis(0),
  'What is the way to reverse a Python list?': tilted(0, 1, 0.95),
  'How do I sort a list in Python?': tilted(0, 2, 0.8),
  'Capital of France?': axis(5),
  'How do I convert Celsius to Fahrenheit?': axis(8),
  'How do I convert Fahrenheit to Celsius?': tilted(8, 9, 0.995),
  'Convert Celsius to Fahrenheit, how?': tilted(8, 10, 0.97),
  'What is the capital city of France?': tilted(5, 6, 0.97),
};

export function cacheContract(name: string, make: MakeCache): void {
  describe(`${name}: response cache contract`, () => {
    const setup = async (over: Partial<CacheSettings> = {}, extra: Record<string, CacheSettings> = {}) => {
      const embedder = new TableEmbedder(table);
      const errors: string[] = [];
      const cache = await make({ settings: { code: settings(over), ...extra }, embedder, onError: (k) => errors.push(k) });
      return { cache, embedder, errors };
    };

    it('serves exact repeats (whitespace-normalised) as exact hits', async () => {
      const { cache } = await setup();
      const scope = { decision: 'code' };
      expect((await cache.lookup(ask('How do I reverse a list in Python?'), scope)).hit).toBe(false);
      await cache.store(ask('How do I reverse a list in Python?'), answer('use reversed()'), scope);
      const hit = await cache.lookup(ask('  How do I reverse   a list in Python?\n'), scope);
      expect(hit).toMatchObject({ hit: true, kind: 'exact', similarity: 1 });
      expect(textOf(hit.response)).toBe('use reversed()');
      expect(hit.response?.model).toBe('gpt-4o');
      await cache.close();
    });

    it('serves paraphrases above the threshold as semantic hits, and nothing below it', async () => {
      const { cache } = await setup({ similarityThreshold: 0.9 });
      const scope = { decision: 'code' };
      await cache.store(ask('How do I reverse a list in Python?'), answer('use reversed()'), scope);
      const para = await cache.lookup(ask('What is the way to reverse a Python list?'), scope);
      expect(para).toMatchObject({ hit: true, kind: 'semantic' });
      expect(para.similarity).toBeCloseTo(0.95, 5);
      expect(textOf(para.response)).toBe('use reversed()');
      // cos 0.8 < 0.9: a related but different question must not get this answer.
      expect((await cache.lookup(ask('How do I sort a list in Python?'), scope)).hit).toBe(false);
      await cache.close();
    });

    it('never answers the same words in another order (a direction swap), whatever the similarity', async () => {
      const { cache } = await setup({ similarityThreshold: 0.9 });
      const scope = { decision: 'code' };
      await cache.store(ask('How do I convert Celsius to Fahrenheit?'), answer('F = C * 9/5 + 32'), scope);
      expect((await cache.lookup(ask('How do I convert Fahrenheit to Celsius?'), scope)).hit).toBe(false);
      const para = await cache.lookup(ask('Convert Celsius to Fahrenheit, how?'), scope);
      expect(textOf(para.response)).toBe('F = C * 9/5 + 32');
      await cache.close();
    });

    it('mode exact never answers a paraphrase; mode semantic answers repeats by similarity', async () => {
      const exact = await setup({ mode: 'exact' });
      await exact.cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'code' });
      expect((await exact.cache.lookup(ask('What is the capital city of France?'), { decision: 'code' })).hit).toBe(false);
      expect(exact.embedder.calls).toBe(0);
      await exact.cache.close();

      const sem = await setup({ mode: 'semantic' });
      await sem.cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'code' });
      const again = await sem.cache.lookup(ask('Capital of France?'), { decision: 'code' });
      expect(again).toMatchObject({ hit: true, kind: 'semantic' });
      expect(again.similarity).toBeCloseTo(1, 5);
      await sem.cache.close();
    });

    it('never serves a hit for a different kind of request (fingerprint)', async () => {
      const { cache } = await setup();
      const scope = { decision: 'code' };
      const q = 'Capital of France?';
      const base = ask(q, { temperature: 0.2, tools: [{ type: 'function', function: { name: 'lookup' } }] });
      await cache.store(base, answer('Paris'), scope);
      const differs = [
        ask(q, { model: 'gpt-4o', temperature: 0.2, tools: base.tools }),
        ask(q, { temperature: 0.9, tools: base.tools }),
        ask(q, { temperature: 0.2 }),
        ask(q, { temperature: 0.2, tools: base.tools, tool_choice: 'required' }),
        ask(q, { temperature: 0.2, tools: base.tools, response_format: { type: 'json_object' } }),
        ask(q, { temperature: 0.2, tools: base.tools, max_tokens: 5 }),
        { ...base, messages: [{ role: 'system', content: 'Answer in German.' }, ...base.messages] },
        { ...base, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, ...base.messages] },
        { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: q }, { type: 'image_url', image_url: { url: 'data:x' } }] }] },
      ];
      for (const r of differs) expect((await cache.lookup(r, scope)).hit, JSON.stringify(r)).toBe(false);
      for (const r of differs) expect((await cache.lookup({ ...r, messages: r.messages.map((m) => ({ ...m, content: m.content === q ? 'What is the capital city of France?' : m.content })) }, scope)).hit).toBe(false);
      // Transport and identity fields do not matter; neither does key order or text-part form.
      const same = [
        { ...base, stream: true, stream_options: { include_usage: true }, user: 'someone' },
        { tools: base.tools, temperature: 0.2, messages: base.messages, model: 'MoM' },
        { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: q }] }] },
      ];
      for (const r of same) expect((await cache.lookup(r, scope)).hit, JSON.stringify(r)).toBe(true);
      await cache.close();
    });

    it('caches only decisions with cache settings, and keeps decisions apart', async () => {
      const { cache } = await setup({}, { math: settings() });
      await cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'none' });
      expect((await cache.lookup(ask('Capital of France?'), { decision: 'none' })).hit).toBe(false);
      await cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'code' });
      expect((await cache.lookup(ask('Capital of France?'), { decision: 'math' })).hit).toBe(false);
      expect((await cache.lookup(ask('What is the capital city of France?'), { decision: 'math' })).hit).toBe(false);
      // No user text: nothing to key on.
      expect((await cache.lookup({ messages: [{ role: 'system', content: 'x' }] }, { decision: 'code' })).hit).toBe(false);
      await cache.close();
    });

    it('never serves one tenant another tenant\'s answer, exact or semantic', async () => {
      const { cache } = await setup({ scopeHeader: 'x-user-id' });
      await cache.store(ask('Capital of France?'), answer('Paris, for alice'), { decision: 'code', tenant: 'alice' });
      for (const q of ['Capital of France?', 'What is the capital city of France?']) {
        expect((await cache.lookup(ask(q), { decision: 'code', tenant: 'bob' })).hit).toBe(false);
        expect((await cache.lookup(ask(q), { decision: 'code', tenant: 'alice ' })).hit).toBe(false);
        expect((await cache.lookup(ask(q), { decision: 'code' })).hit).toBe(false);
        const own = await cache.lookup(ask(q), { decision: 'code', tenant: 'alice' });
        expect(textOf(own.response)).toBe('Paris, for alice');
      }
      await cache.store(ask('Capital of France?'), answer('Paris, for bob'), { decision: 'code', tenant: 'bob' });
      expect(textOf((await cache.lookup(ask('Capital of France?'), { decision: 'code', tenant: 'alice' })).response)).toBe('Paris, for alice');
      expect(textOf((await cache.lookup(ask('What is the capital city of France?'), { decision: 'code', tenant: 'bob' })).response)).toBe('Paris, for bob');
      // A per-tenant cache does not cache requests without a tenant at all.
      await cache.store(ask('Capital of France?'), answer('anonymous'), { decision: 'code' });
      expect((await cache.lookup(ask('Capital of France?'), { decision: 'code' })).hit).toBe(false);
      await cache.close();
    });

    it('evicts the least recently used entry beyond max_entries', async () => {
      const { cache } = await setup({ maxEntries: 3 });
      const scope = { decision: 'code' };
      for (const q of ['q1', 'q2', 'q3']) await cache.store(ask(q), answer(q), scope);
      expect((await cache.lookup(ask('q1'), scope)).hit).toBe(true); // q1 is now the most recent
      await cache.store(ask('q4'), answer('q4'), scope);
      expect((await cache.lookup(ask('q2'), scope)).hit).toBe(false);
      for (const q of ['q1', 'q3', 'q4']) expect((await cache.lookup(ask(q), scope)).hit, q).toBe(true);
      await cache.close();
    });

    it('an embedder failure is a miss and a dropped store, reported', async () => {
      const { cache, embedder, errors } = await setup({ mode: 'semantic' });
      errors.length = 0; // a backend may have reported connection errors while it started
      embedder.fail = true;
      await cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'code' });
      expect((await cache.lookup(ask('Capital of France?'), { decision: 'code' })).hit).toBe(false);
      expect(errors.filter((k) => k === 'cache_store')).toHaveLength(1);
      expect(errors).toContain('cache_lookup');
      expect(errors.every((k) => k === 'cache_store' || k === 'cache_lookup')).toBe(true);
      await cache.close();
    });
  });
}
