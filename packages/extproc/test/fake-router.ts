// A Router for unit tests: routes on keywords, with a settable delay, failure and exact-match cache.
import type { CacheLookupResult, CacheScope, CacheSettings, CachedResponse, ChatCompletionRequest, Outcome, RouteContext, RouteDecision, Router } from '@semroute/router';

export class FakeRouter implements Router {
  delayMs = 0;
  failWith: Error | undefined;
  closed = false;
  outcomes: Outcome[] = [];
  routed: Array<{ request: ChatCompletionRequest; ctx: RouteContext | undefined }> = [];
  stored: Array<{ request: ChatCompletionRequest; response: CachedResponse; scope: CacheScope }> = [];
  private readonly entries = new Map<string, CachedResponse>();

  constructor(
    readonly label = 'v1',
    private readonly cacheFor: Record<string, CacheSettings> = {},
  ) {}

  readonly cache = {
    lookup: async (request: ChatCompletionRequest, scope: CacheScope): Promise<CacheLookupResult> => {
      const hit = this.entries.get(cacheKey(request, scope));
      return hit ? { hit: true, kind: 'exact', similarity: 1, response: hit } : { hit: false };
    },
    store: async (request: ChatCompletionRequest, response: CachedResponse, scope: CacheScope): Promise<void> => {
      this.stored.push({ request, response, scope });
      this.entries.set(cacheKey(request, scope), response);
    },
  };

  async route(request: ChatCompletionRequest, ctx?: RouteContext): Promise<RouteDecision> {
    if (this.closed) throw Object.assign(new Error('the router is closed'), { code: 'CLOSED' });
    if (!Array.isArray(request.messages)) throw Object.assign(new Error('expected a "messages" array'), { code: 'INVALID_REQUEST' });
    this.routed.push({ request, ctx });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    const text = JSON.stringify(request.messages).toLowerCase();
    const code = /code|python|bug/.test(text);
    const selectedModel = code ? 'qwen-coder' : 'gemini-flash';
    return {
      selectedModel,
      providerModelId: code ? 'qwen2.5-coder:7b' : 'gemini-2.5-flash',
      decision: code ? 'coding' : 'MoM',
      algorithm: 'static',
      confidence: code ? 0.9 : 0.6,
      scores: { [selectedModel]: 1 },
      signals: [],
      reasonCode: 'auto_routing',
      latencyMs: this.delayMs,
    };
  }

  async routeBatch(requests: ChatCompletionRequest[], ctx?: RouteContext): Promise<RouteDecision[]> {
    return Promise.all(requests.map((r) => this.route(r, ctx)));
  }

  async recordOutcome(o: Outcome): Promise<void> {
    if (o.decision !== 'MoM' && o.decision !== 'coding') throw Object.assign(new Error(`no decision named "${o.decision}"`), { code: 'UNKNOWN_DECISION' });
    this.outcomes.push(o);
  }

  isAutoModel(model: string | undefined): boolean {
    return model === 'MoM' || model === 'auto' || model === 'coding';
  }

  listModels() {
    return [
      { id: 'MoM', kind: 'auto' as const },
      { id: 'auto', kind: 'auto' as const },
      { id: 'qwen-coder', kind: 'card' as const, description: 'coding model', providerModelId: 'qwen2.5-coder:7b' },
      { id: 'gemini-flash', kind: 'card' as const, description: 'fast model', providerModelId: 'gemini-2.5-flash' },
    ];
  }

  cacheSettings(decision: string): CacheSettings | undefined {
    return this.cacheFor[decision];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function cacheKey(r: ChatCompletionRequest, s: CacheScope): string {
  return JSON.stringify([s.decision, s.tenant ?? '', r.messages]);
}
