// The router: config + embedder -> route(chat request) -> RouteDecision.
// At load it embeds every card text and signal phrase once; per request it embeds the prompt once,
// evaluates all signals concurrently against that one embedding, picks a decision and lets the
// decision's selector choose among its candidates, whose `similarity` is the prompt-vs-card fit.
// With `ctx.cache` the matched decision's semantic cache is looked up with that same embedding.
import type { ChatCompletionRequest, OutcomeReceipt, RouteContext, RouteDecision, Router, SignalResult, TextEmbedder } from './api.js';
import type { CacheScope, CacheSettings, CacheTicket, RouteCache } from './cache/types.js';
import { cacheEntryKey, type CacheEntryKey, type ResponseStore, type VectorSource } from './cache/index.js';
import type { Candidate, Determinism, SelectionResult, Selector } from './selection/types.js';
import { boundReads, type LearningStateStore } from './state/types.js';
import { loadConfig, validateConfig, type LoadedConfig } from './config/load.js';
import { redactError } from './config/env.js';
import type { ParsedAlgorithm } from './config/references.js';
import { ConfigError, type ConfigIssue } from './config/errors.js';
import { CACHE_PLUGIN_TYPES, type CachePluginConfig, type DecisionConfig, type RouterConfig } from './config/schema.js';
import { CardIndex } from './cards/index.js';
import { buildSignals, evaluateSignals, type SignalSet } from './signals/build.js';
import { matchDecision } from './decisions/match.js';
import { clipHead, clipTail, conversationText, estimateTokensWithin, promptText, textBudgetChars, withTextBudget } from './text/prompt.js';
import { embedAll, embedLoadTexts } from './load-texts.js';
import { RouterError } from './errors.js';
import { normalize } from './vector.js';
import { parseChatRequest } from './request/chat-request.js';
import { resolveModelPath } from './model-path.js';
import { createStateStore, createResponseStore } from './backends.js';
import { buildTaskRouting, defaultCacheDir, type TaskRouting } from './library/index.js';
import { DEFAULT_MAX_OUTCOME_BATCH, MAX_SESSION_ID_LENGTH, validateOutcome, validateOutcomes, type DecisionModels } from './outcomes/validate.js';
import { OutcomeRecorder } from './outcomes/recorder.js';

export interface CreateRouterOptions {
  /** A config file path, a parsed plain object (validated like a file), or a `LoadedConfig`. */
  config: string | LoadedConfig | Record<string, unknown>;
  /** Defaults to `@semroute/embed`'s Embedder loaded from `embedding.model_path`. */
  embedder?: TextEmbedder;
  /** Base for relative paths when `config` is an object; default the working directory. */
  configDir?: string;
  /** Model directory used when the config names none (the library has no default; the CLI passes one). */
  defaultModelDir?: string;
  /** Non-fatal errors (state store or cache failures) are reported here, never thrown. */
  onError?: (kind: string, err: unknown) => void;
  determinism?: Partial<Determinism>;
  /** Overrides the learning-state store chosen by `state.backend`. */
  state?: LearningStateStore;
  /** Overrides the response store chosen by `cache.backend` (where cache plugins keep answers). */
  cache?: ResponseStore;
  /**
   * Directory where the task library's vectors are cached per model and library version
   * (default: `semroute-cache-<uid>` under the OS temporary directory); false: embed at every load.
   */
  cacheDir?: string | false;
  /** Largest outcome batch `recordOutcomes` accepts (default 1000). */
  maxOutcomeBatch?: number;
  /** Outcomes kept locally while the state backend is down, replayed in order on reconnect (default 10,000). */
  outcomeQueueSize?: number;
}

/** Generic auto names routed through every decision; decision names are auto names too. */
const DEFAULT_AUTO_NAMES = ['MoM', 'auto'];

/** Builds a router; resolves once the model is loaded and every card and phrase is embedded. */
export async function createRouter(options: CreateRouterOptions): Promise<Router> {
  const loaded = await resolveConfig(options);
  try {
    return await buildRouter(loaded, options);
  } catch (err) {
    // Errors after validation (a model path, a model file, a backend) may quote `${VAR}` values.
    throw redactError(err, loaded.envValues);
  }
}

async function buildRouter(loaded: LoadedConfig, options: CreateRouterOptions): Promise<Router> {
  // Prompts are cut to the model's token budget before tokenising (a 1 MB prompt costs what 4 KB does).
  const embedder = withTextBudget(options.embedder ?? (await loadEmbedder(loaded, options.defaultModelDir)));
  const ownsEmbedder = options.embedder === undefined;
  const onError = options.onError ?? (() => {});
  const now = options.determinism?.now;
  const state = options.state ?? (await createStateStore(loaded.config, onError, now));
  // Stores and caches passed in belong to the caller: close only what was made here.
  const closeState = () => (options.state ? Promise.resolve() : state.close());
  let cache: ResponseStore | undefined;
  const closeCache = () => (options.cache || !cache ? Promise.resolve() : cache.close());
  try {
    cache = options.cache ?? createResponseStore(loaded.config, onError, now);
    const core = await RouterCore.build(loaded, embedder, state, cache, options);
    return core.asRouter(async () => {
      await core.closeOutcomes();
      await closeState();
      await closeCache();
      const e = embedder as { close?: () => Promise<void> | void };
      if (ownsEmbedder && typeof e.close === 'function') await e.close();
    });
  } catch (err) {
    await closeState().catch(() => {});
    await closeCache().catch(() => {});
    throw err;
  }
}

async function resolveConfig(options: CreateRouterOptions): Promise<LoadedConfig> {
  const c = options.config;
  if (typeof c === 'string') return loadConfig(c);
  if (isLoaded(c)) return c;
  return validateConfig(c, { source: 'config object', configDir: options.configDir ?? process.cwd() });
}

function isLoaded(c: unknown): c is LoadedConfig {
  return typeof c === 'object' && c !== null && 'config' in c && 'configDir' in c && 'warnings' in c && 'algorithms' in c;
}

/** Loads `@semroute/embed`'s Embedder for a config's `embedding` section (model dir resolved as documented). */
export async function loadEmbedder(loaded: LoadedConfig, defaultDir?: string): Promise<TextEmbedder> {
  const e = loaded.config.embedding;
  const modelPath = resolveModelPath(e.model_path, loaded.configDir, defaultDir);
  try {
    const { Embedder } = await import('@semroute/embed');
    return (await Embedder.load(modelPath, {
      maxBatch: e.max_batch,
      precision: e.precision,
      ...(e.layer !== undefined ? { layer: e.layer } : {}),
      ...(e.dim !== undefined ? { dim: e.dim } : {}),
    })) as TextEmbedder;
  } catch (err) {
    throw new RouterError('MODEL_LOAD_FAILED', `cannot load the embedding model at ${modelPath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

interface DecisionRuntime {
  config: DecisionConfig;
  selector: Selector;
  algorithm: string;
  cache?: CacheSettings;
}

/** Everything derived from one config at load: the per-request work lives in `decide`. */
class RouterCore {
  private closed = false;
  /** Each decision's candidate models: the only names an outcome may carry (bounds the state keys). */
  private readonly outcomeModels: DecisionModels;
  private readonly outcomes: OutcomeRecorder;
  private readonly maxOutcomeBatch: number;

  private constructor(
    private readonly config: RouterConfig,
    private readonly embedder: TextEmbedder,
    private readonly state: LearningStateStore,
    private readonly cache: ResponseStore,
    private readonly cards: CardIndex,
    private readonly signals: SignalSet,
    private readonly decisions: Map<string, DecisionRuntime>,
    private readonly determinism: Determinism,
    private readonly tasks: TaskRouting | undefined,
    options: CreateRouterOptions,
  ) {
    this.outcomeModels = new Map([...decisions].map(([name, rt]) => [name, new Set(rt.config.modelRefs.map((r) => r.model))]));
    this.maxOutcomeBatch = options.maxOutcomeBatch ?? DEFAULT_MAX_OUTCOME_BATCH;
    this.outcomes = new OutcomeRecorder({
      state,
      apply: async (o, st) => {
        await this.decisions.get(o.decision)!.selector.recordOutcome?.(o, st);
      },
      ...(options.outcomeQueueSize !== undefined ? { queueSize: options.outcomeQueueSize } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      // Outcomes handed over by a router this one replaces (a reload) must fit this config.
      accepts: (o) => {
        try {
          validateOutcome(o, this.outcomeModels);
          return true;
        } catch {
          return false;
        }
      },
    });
  }

  static async build(
    loaded: LoadedConfig,
    embedder: TextEmbedder,
    state: LearningStateStore,
    cache: ResponseStore,
    options: CreateRouterOptions,
  ): Promise<RouterCore> {
    const config = loaded.config;
    const cards = new CardIndex(config.routing.modelCards);
    const signals = buildSignals(config);

    // One pass over every load-time text (cards, domain classifier, signal phrases).
    await embedLoadTexts(embedder, [cards, ...signals.evaluators, ...(signals.domains ? [signals.domains] : [])], config.embedding.max_batch);

    const tasks = await buildTaskRouting({
      settings: config.routing.task_library,
      configDir: loaded.configDir,
      embedder,
      cards,
      instruction: config.embedding.query_instruction,
      maxBatch: config.embedding.max_batch,
      cacheDir: options.cacheDir ?? defaultCacheDir(),
      onError: options.onError ?? (() => {}),
    }).catch((err: unknown) => {
      throw err instanceof ConfigError ? new ConfigError(err.issues, loaded.source, { cause: err }) : err;
    });

    const decisions = new Map<string, DecisionRuntime>();
    const failures: ConfigIssue[] = [];
    for (const [i, d] of config.routing.decisions.entries()) {
      try {
        decisions.set(d.name, await buildDecision(d, loaded.algorithms.get(d.name)!, loaded.configDir));
      } catch (err) {
        // E.g. a trained selector's model file is missing: a config problem, reported at its path.
        failures.push({ path: `routing.decisions[${i}].algorithm`, message: (err as Error).message });
      }
    }
    if (failures.length > 0) throw new ConfigError(failures, loaded.source);
    const determinism: Determinism = {
      rng: options.determinism?.rng ?? Math.random,
      now: options.determinism?.now ?? Date.now,
    };
    return new RouterCore(config, embedder, state, cache, cards, signals, decisions, determinism, tasks?.routing, options);
  }

  /** Semantic cache settings of a decision (undefined: no cache plugin). */
  cacheSettings(decision: string): CacheSettings | undefined {
    return this.decisions.get(decision)?.cache;
  }

  private get autoNames(): Set<string> {
    return new Set([...(this.config.routing.auto_model_names ?? DEFAULT_AUTO_NAMES), ...this.decisions.keys()]);
  }

  asRouter(closeAll: () => Promise<void>): Router {
    const autoNames = this.autoNames;
    const isAuto = (m: string | undefined) => m === undefined || m === '' || autoNames.has(m);
    return {
      route: (req, ctx) => this.routeMany([req], ctx, isAuto).then((r) => r[0]!),
      routeBatch: (reqs, ctx) => this.routeMany(reqs, ctx, isAuto),
      recordOutcome: (o) => this.recordOutcomes([o]),
      recordOutcomes: (list) => this.recordOutcomes(list),
      outcomeStats: () => this.outcomes.stats(),
      // Only names: a body without `model` has nothing for a gateway to rewrite (route() still routes it).
      isAutoModel: (m) => m !== undefined && autoNames.has(m),
      listModels: () => this.listModels(autoNames),
      cacheSettings: (d) => this.cacheSettings(d),
      close: async () => {
        if (this.closed) return;
        this.closed = true;
        await closeAll();
      },
    };
  }

  private async routeMany(reqs: ChatCompletionRequest[], ctx: RouteContext | undefined, isAuto: (m: string | undefined) => boolean) {
    if (this.closed) throw new RouterError('CLOSED', 'the router is closed');
    const start = performance.now();
    reqs.forEach((r, i) => {
      checkRequest(r, reqs.length > 1 ? i : undefined);
    });
    const src = this.config.routing.prompt_source;
    const texts = reqs.map((r) => (isAuto(r.model) ? promptText(r, src) : undefined));
    const instruction = this.config.embedding.query_instruction;
    const toEmbed = texts.filter((t): t is string => t !== undefined && t.trim() !== '').map((t) => withInstruction(t, instruction));
    abortIfNeeded(ctx);
    let vectors: Float32Array[] = [];
    if (toEmbed.length > 0) {
      try {
        // One call for the whole batch; the embedder splits it into forward passes of max_batch.
        vectors = await embedAll(this.embedder, toEmbed, Number.POSITIVE_INFINITY, ctx?.signal);
      } catch (err) {
        abortIfNeeded(ctx); // the caller gave up while queued: not an embedding failure
        throw new RouterError('EMBEDDING_FAILED', `embedding the prompt failed: ${(err as Error).message}`, { cause: err });
      }
    }
    abortIfNeeded(ctx);
    let v = 0;
    return Promise.all(
      reqs.map((req, i) => {
        const text = texts[i];
        if (text === undefined) return this.explicit(req, start);
        const embedding = text.trim() === '' ? undefined : vectors[v++];
        return this.decide(req, text, embedding, ctx, start);
      }),
    );
  }

  /** A concrete model name passes through untouched. */
  private explicit(req: ChatCompletionRequest, start: number): RouteDecision {
    const model = req.model!;
    return {
      selectedModel: model,
      providerModelId: this.providerModelId(model),
      decision: null,
      algorithm: null,
      confidence: 1,
      scores: {},
      signals: [],
      reasonCode: 'explicit_model',
      latencyMs: performance.now() - start,
    };
  }

  private async decide(
    req: ChatCompletionRequest,
    text: string,
    embedding: Float32Array | undefined,
    ctx: RouteContext | undefined,
    start: number,
  ): Promise<RouteDecision> {
    if (!embedding) return this.fallback([], start, 'default_model'); // nothing to route on
    // The signals (keywords, PII, jailbreak, language, ...) read at most the embedder's character budget,
    // as the embedding does: the prompt's head, the conversation's tail (its latest turns); token counts
    // past the budget are extrapolated from its length. A 1 MB prompt costs them what 8 KB do.
    const budget = textBudgetChars(this.embedder.info.maxSeqLen);
    const history = conversationText(req);
    const input = {
      text: clipHead(text, budget),
      historyText: clipTail(history, budget),
      conversationTokens: estimateTokensWithin(history, budget),
      embedding,
    };
    const signals = await evaluateSignals(this.signals, input);
    const centred = this.cards.centre(embedding);
    const direct = (card: string) => this.cards.similarity(centred, card);
    // Task evidence: computed once per request; reported as `task` signals whatever decision matches.
    const tasks = this.tasks?.score(embedding, direct, input.text);
    for (const t of tasks?.top ?? []) {
      signals.push({ id: `task:${t.task.id}`, type: 'task', name: t.task.id, matched: true, confidence: t.score, score: t.score, detail: { label: t.task.name } });
    }

    // A request naming a decision (other than the generic auto names) forces that decision.
    const generic = new Set(this.config.routing.auto_model_names ?? DEFAULT_AUTO_NAMES);
    const forced = req.model && !generic.has(req.model) ? this.decisions.get(req.model) : undefined;
    const match = forced
      ? { decision: forced.config, confidence: 1 }
      : matchDecision(this.config.routing.decisions, signals, this.config.routing.strategy);
    if (!match) return this.fallback(signals, start, 'default_model');
    const rt = this.decisions.get(match.decision.name)!;

    const candidates: Candidate[] = rt.config.modelRefs.map((ref) => {
      const card = this.config.routing.modelCards.find((c) => c.name === ref.model);
      const provider = this.config.providers.models.find((p) => p.name === ref.model);
      return {
        model: ref.model,
        ...(card ? { card: { ...card, param_size: card.param_size === undefined ? undefined : String(card.param_size) } } : {}),
        ...(provider ? { provider } : {}),
        weight: ref.weight,
        ...(ref.use_reasoning !== undefined ? { useReasoning: ref.use_reasoning } : {}),
        ...(ref.reasoning_effort !== undefined ? { reasoningEffort: ref.reasoning_effort } : {}),
        similarity: tasks?.fit.get(ref.model) ?? direct(ref.model),
      };
    });
    // A model without a card has no evidence either way: give it the mean fit of those with one,
    // so it neither wins nor loses on meaning by default.
    const carded = candidates.filter((c) => this.cards.has(c.model));
    if (carded.length > 0 && carded.length < candidates.length) {
      const neutral = carded.reduce((a, c) => a + c.similarity, 0) / carded.length;
      for (const c of candidates) if (!this.cards.has(c.model)) c.similarity = neutral;
    }
    const unsure = this.lowConfidence(carded);
    if (unsure) return this.withCache(this.decided(rt, unsure, signals, candidates, start), rt, req, embedding, ctx);
    let result: SelectionResult;
    try {
      result = await rt.selector.select({
        ...this.determinism,
        decision: rt.config.name,
        candidates,
        promptEmbedding: embedding,
        promptText: text,
        promptTokens: estimateTokensWithin(text, budget),
        // Session ids become state keys: one longer than an outcome may carry is ignored (no stickiness).
        ...(ctx?.sessionId !== undefined && ctx.sessionId.length <= MAX_SESSION_ID_LENGTH ? { sessionId: ctx.sessionId } : {}),
        // Learning-state reads answer by the request's deadline (from a local mirror when Redis is slow or paused).
        state: boundReads(this.state, ctx?.cacheDeadline, ctx?.signal),
      });
    } catch (err) {
      throw new RouterError('SELECTION_FAILED', `decision "${rt.config.name}" (${rt.algorithm}): ${(err as Error).message}`, {
        cause: err,
      });
    }
    return this.withCache(this.decided(rt, result, signals, candidates, start), rt, req, embedding, ctx);
  }

  /**
   * With `ctx.cache`, the matched decision's semantic cache (its plugin settings, the tenant from the
   * context) is looked up with the prompt's routing embedding: a hit, or a ticket that stores the
   * upstream's answer under the same entry and vector.
   */
  private async withCache(
    d: RouteDecision,
    rt: DecisionRuntime,
    req: ChatCompletionRequest,
    embedding: Float32Array,
    ctx: RouteContext | undefined,
  ): Promise<RouteDecision> {
    const settings = rt.cache;
    if (!settings || ctx?.cache !== true) return d;
    const tenant = settings.scopeHeader !== undefined ? (ctx.tenant ?? ctx.headers?.[settings.scopeHeader]) : undefined;
    const scope: CacheScope = { decision: rt.config.name, ...(tenant ? { tenant } : {}) };
    const key = cacheEntryKey(req, scope, settings);
    if (!key) return { ...d, cache: { result: 'miss' } };
    let unit: Float32Array | undefined;
    const vector: VectorSource = () => (unit ??= normalize(embedding));
    const found = await lookupBefore(() => this.cache.lookup(key, vector), ctx.cacheDeadline);
    let cache: RouteCache;
    if (found === 'skipped') cache = { result: 'skipped' };
    else if (found.hit && found.response) cache = { result: 'hit', kind: found.kind ?? 'exact', similarity: found.similarity ?? 1, response: found.response };
    else cache = { result: 'miss', ticket: this.ticket(scope, key, vector) };
    return { ...d, cache };
  }

  private ticket(scope: CacheScope, key: CacheEntryKey, vector: VectorSource): CacheTicket {
    return {
      scope,
      // After close the store is gone: an answer that arrives later is not cached.
      store: async (response) => (this.closed ? undefined : this.cache.store(key, vector, response)),
    };
  }

  /**
   * `routing.low_confidence`: when the two best-fitting cards are within the margin, the named
   * model serves, whatever the selector would say.
   */
  private lowConfidence(carded: Candidate[]): SelectionResult | undefined {
    const low = this.config.routing.low_confidence;
    if (!low || carded.length < 2) return undefined;
    const [a, b] = carded.map((c) => c.similarity).sort((x, y) => y - x);
    if (a! - b! >= low.margin) return undefined;
    const scores = Object.fromEntries(carded.map((c) => [c.model, c.similarity]));
    return { model: low.model, confidence: clamp01(a! - b!), scores, reasonCode: 'low_confidence' };
  }

  private decided(rt: DecisionRuntime, result: SelectionResult, signals: SignalResult[], candidates: Candidate[], start: number): RouteDecision {
    const chosen = candidates.find((c) => c.model === result.model);
    return {
      selectedModel: result.model,
      providerModelId: this.providerModelId(result.model),
      decision: rt.config.name,
      algorithm: rt.algorithm,
      confidence: clamp01(result.confidence),
      scores: result.scores,
      signals,
      reasonCode: result.reasonCode ?? 'auto_routing',
      latencyMs: performance.now() - start,
      ...(chosen?.useReasoning !== undefined ? { useReasoning: chosen.useReasoning } : {}),
      ...(chosen?.reasoningEffort !== undefined ? { reasoningEffort: chosen.reasoningEffort } : {}),
    };
  }

  /** No decision matched: the configured default model. */
  private fallback(signals: SignalResult[], start: number, reasonCode: string): RouteDecision {
    const model = this.defaultModel();
    return {
      selectedModel: model,
      providerModelId: this.providerModelId(model),
      decision: null,
      algorithm: null,
      confidence: 0,
      scores: {},
      signals,
      reasonCode,
      latencyMs: performance.now() - start,
    };
  }

  private defaultModel(): string {
    const c = this.config;
    return (
      c.providers.defaults?.default_model ??
      c.providers.models[0]?.name ??
      c.routing.modelCards[0]?.name ??
      c.routing.decisions[0]?.modelRefs[0]?.model ??
      'default'
    );
  }

  private providerModelId(model: string): string {
    return this.config.providers.models.find((p) => p.name === model)?.provider_model_id ?? model;
  }

  /** Validates the whole batch (throws OutcomeValidationError, nothing applied), then applies or queues it in order. */
  private async recordOutcomes(list: readonly unknown[]): Promise<OutcomeReceipt> {
    if (this.closed) throw new RouterError('CLOSED', 'the router is closed');
    const valid = validateOutcomes(list, this.outcomeModels, this.maxOutcomeBatch);
    return this.outcomes.record(valid);
  }

  /** Replays what the outcome queue still holds, if the backend is back; called on close. */
  async closeOutcomes(): Promise<void> {
    await this.outcomes.close();
  }

  private listModels(autoNames: Set<string>) {
    const out: ReturnType<Router['listModels']> = [...autoNames].map((id) => ({ id, kind: 'auto' as const }));
    const seen = new Set<string>();
    for (const card of this.config.routing.modelCards) {
      seen.add(card.name);
      out.push({
        id: card.name,
        kind: 'card',
        ...(card.description ? { description: card.description.trim() } : {}),
        providerModelId: this.providerModelId(card.name),
      });
    }
    for (const p of this.config.providers.models) {
      if (!seen.has(p.name)) out.push({ id: p.name, kind: 'card', providerModelId: this.providerModelId(p.name) });
    }
    return out;
  }
}

/** Instantiates a decision's selector from the params parsed at config load. */
async function buildDecision(d: DecisionConfig, algorithm: ParsedAlgorithm, configDir: string): Promise<DecisionRuntime> {
  const { factory, params } = algorithm;
  const selector = await factory.create(params, { configDir });
  const plugin = (d.plugins ?? []).find(
    (p): p is CachePluginConfig => (CACHE_PLUGIN_TYPES as readonly string[]).includes(p.type) && (p as CachePluginConfig).enabled,
  );
  return { config: d, selector, algorithm: factory.type, ...(plugin ? { cache: cacheSettings(plugin) } : {}) };
}

function cacheSettings(p: CachePluginConfig): CacheSettings {
  return {
    mode: p.mode,
    similarityThreshold: p.similarity_threshold,
    ttlSeconds: p.ttl_seconds,
    maxEntries: p.max_entries,
    ...(p.scope === 'header' && p.scope_header ? { scopeHeader: p.scope_header.toLowerCase() } : {}),
  };
}

function checkRequest(r: unknown, index?: number): asserts r is ChatCompletionRequest {
  const parsed = parseChatRequest(r);
  if (!parsed.ok) {
    const where = index === undefined ? '' : ` (request ${index})`;
    throw new RouterError('INVALID_REQUEST', `${parsed.issue.message}${where}`);
  }
}

/** The lookup's result, or 'skipped' when it cannot answer before `deadline` (a `performance.now()` time). */
async function lookupBefore<T>(start: () => Promise<T>, deadline: number | undefined): Promise<T | 'skipped'> {
  if (deadline === undefined) return start();
  const budgetMs = deadline - performance.now();
  if (budgetMs <= 0) return 'skipped';
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'skipped'>((resolve) => {
    timer = setTimeout(() => resolve('skipped'), budgetMs);
  });
  const lookup = start();
  lookup.catch(() => {});
  try {
    return await Promise.race([lookup, late]);
  } finally {
    clearTimeout(timer);
  }
}

function abortIfNeeded(ctx: RouteContext | undefined): void {
  if (ctx?.signal?.aborted) throw new RouterError('ABORTED', 'routing aborted', { cause: ctx.signal.reason });
}

const withInstruction = (text: string, instruction: string | undefined) => (instruction && text ? `${instruction}${text}` : text);
const clamp01 = (x: number) => (Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0);
