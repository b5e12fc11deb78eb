// A Router for unit tests: routes on keywords, with a settable delay, failure and an exact-match
// cache answered like the real router's (`ctx.cache`: a hit, a ticket, or skipped past `ctx.cacheDeadline`).
import { OutcomeValidationError, parseChatRequest } from '@semroute/router';
import type { OutcomeReceipt, OutcomeStats, CacheScope, CacheSettings, CachedResponse, ChatCompletionRequest, Outcome, RouteCache, RouteContext, RouteDecision, Router } from '@semroute/router';

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

  /** A cache backend that never answers (e.g. Redis paused): lookups end only at the caller's deadline. */
  cacheHangs = false;

  async route(request: ChatCompletionRequest, ctx?: RouteContext): Promise<RouteDecision> {
    if (this.closed) throw Object.assign(new Error('the router is closed'), { code: 'CLOSED' });
    // The real router's request check (the HTTP API hands it bodies as they come: null, arrays, ...).
    const parsed = parseChatRequest(request);
    if (!parsed.ok) throw Object.assign(new Error(parsed.issue.message), { code: 'INVALID_REQUEST' });
    this.routed.push({ request, ctx });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    const text = JSON.stringify(request.messages).toLowerCase();
    const code = /code|python|bug/.test(text);
    const selectedModel = code ? 'qwen-coder' : 'gemini-flash';
    const decision = code ? 'coding' : 'MoM';
    const cache = ctx?.cache ? await this.lookup(request, decision, ctx) : undefined;
    return {
      selectedModel,
      providerModelId: code ? 'qwen2.5-coder:7b' : 'gemini-2.5-flash',
      decision,
      algorithm: 'static',
      confidence: code ? 0.9 : 0.6,
      scores: { [selectedModel]: 1 },
      signals: [],
      reasonCode: 'auto_routing',
      latencyMs: this.delayMs,
      ...(cache ? { cache } : {}),
    };
  }

  private async lookup(request: ChatCompletionRequest, decision: string, ctx: RouteContext): Promise<RouteCache | undefined> {
    const settings = this.cacheFor[decision];
    if (!settings) return undefined;
    const tenant = settings.scopeHeader ? (ctx.tenant ?? ctx.headers?.[settings.scopeHeader]) : undefined;
    const scope: CacheScope = { decision, ...(tenant ? { tenant } : {}) };
    if (this.cacheHangs) {
      const wait = (ctx.cacheDeadline ?? Number.POSITIVE_INFINITY) - performance.now();
      if (!Number.isFinite(wait)) await new Promise(() => {});
      await new Promise((r) => setTimeout(r, Math.max(0, wait)));
      return { result: 'skipped' };
    }
    const hit = this.entries.get(cacheKey(request, scope));
    if (hit) return { result: 'hit', kind: 'exact', similarity: 1, response: hit };
    return {
      result: 'miss',
      ticket: {
        scope,
        store: async (response: CachedResponse) => {
          this.stored.push({ request, response, scope });
          this.entries.set(cacheKey(request, scope), response);
        },
      },
    };
  }

  async routeBatch(requests: ChatCompletionRequest[], ctx?: RouteContext): Promise<RouteDecision[]> {
    return Promise.all(requests.map((r) => this.route(r, ctx)));
  }

  async recordOutcome(o: Outcome): Promise<OutcomeReceipt> {
    return this.recordOutcomes([o]);
  }

  /** Validates the whole batch like the real router (decision known, model a candidate), then applies it. */
  async recordOutcomes(list: readonly unknown[]): Promise<OutcomeReceipt> {
    const models: Record<string, string[]> = { MoM: ['qwen-coder', 'gemini-flash'], coding: ['qwen-coder'] };
    list.forEach((x, i) => {
      const o = x as Partial<Outcome> | null;
      if (o === null || typeof o !== 'object') throw new OutcomeValidationError(i, '', 'expected an outcome object');
      const candidates = models[o.decision ?? ''];
      if (!candidates) throw new OutcomeValidationError(i, 'decision', `no decision named ${JSON.stringify(o.decision)}`, 'UNKNOWN_DECISION');
      if (typeof o.model !== 'string' || !candidates.includes(o.model)) throw new OutcomeValidationError(i, 'model', `model ${JSON.stringify(o.model)} is not a candidate`);
    });
    this.outcomes.push(...(list as Outcome[]));
    return { recorded: list.length, persisted: true, queued: 0, unconfirmed: 0 };
  }

  /** What `outcomeStats()` answers (e.g. outcomes queued while a state backend is down). */
  stats: OutcomeStats = { queued: 0, queueCapacity: 10_000, replayed: 0, unconfirmed: 0, rejected: 0, failed: 0 };

  outcomeStats(): OutcomeStats {
    return { ...this.stats };
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
