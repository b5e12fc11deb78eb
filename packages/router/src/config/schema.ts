// The zod schema of the v0.3 router config (vLLM-Semantic-Router style) plus semroute's additions.
// YAML field names are kept as written (snake_case, `modelRefs`, `modelCards`) so the seed reads the same.
// Objects strip unknown keys; the loader compares raw and parsed trees to warn about them.
import { z } from 'zod';

const name = z.string().trim().min(1, { error: 'expected a non-empty name' });
const finiteNonNeg = z.number().finite().min(0);

/** Token counts written as numbers or as strings like "4K", "1.5M". */
export const tokenCount = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*[kKmM]?\s*$/, { error: 'expected a token count such as 4096, "4K" or "1M"' })
    .transform((s) => {
      const t = s.trim();
      const unit = t.slice(-1).toLowerCase();
      const mult = unit === 'k' ? 1_000 : unit === 'm' ? 1_000_000 : 1;
      return Math.round(parseFloat(mult === 1 ? t : t.slice(0, -1)) * mult);
    }),
]);

const pricing = z.object({
  prompt_per_1m: finiteNonNeg.optional(),
  completion_per_1m: finiteNonNeg.optional(),
  currency: z.string().optional(),
});

const backendRef = z.object({
  name: z.string().optional(),
  endpoint: z.string().optional(),
  base_url: z.string().optional(),
  protocol: z.string().optional(),
  weight: finiteNonNeg.optional(),
  api_key: z.string().optional(),
  api_key_env: z.string().optional(),
});

export const providerModelSchema = z.object({
  name,
  provider_model_id: z.string().min(1).optional(),
  api_format: z.string().optional(),
  pricing: pricing.optional(),
  backend_refs: z.array(backendRef).optional(),
});

const providers = z.object({
  defaults: z.object({ default_model: name.optional() }).optional(),
  models: z.array(providerModelSchema).default([]),
});

export const modelCardSchema = z.object({
  name,
  param_size: z.union([z.string(), z.number()]).optional(),
  context_window_size: z.number().int().positive().optional(),
  description: z.string().optional(),
  capabilities: z.array(z.string()).optional(),
  quality_score: z.number().min(0).max(1).optional(),
  tags: z.array(z.string()).optional(),
  /** semroute addition: sample prompts this card should serve. */
  examples: z.array(z.string()).optional(),
});

// ---------------------------------------------------------------- signals

const keywordSignal = z.object({
  name,
  operator: z.enum(['OR', 'AND', 'NOR', 'or', 'and', 'nor', 'any', 'all', 'none']).default('OR'),
  keywords: z.array(z.string().min(1)).min(1, { error: 'expected at least one keyword' }),
  case_sensitive: z.boolean().default(false),
  word_boundary: z.boolean().default(true),
  description: z.string().optional(),
});

const embeddingSignal = z.object({
  name,
  candidates: z.array(z.string().min(1)).min(1, { error: 'expected at least one candidate phrase' }),
  threshold: z.number().min(-1).max(1).default(0.6),
  aggregation_method: z.enum(['max', 'mean']).default('max'),
  description: z.string().optional(),
});

const domainSignal = z.object({
  name,
  description: z.string().optional(),
  /** Labelled example prompts for this domain (semroute addition). */
  examples: z.array(z.string().min(1)).optional(),
  mmlu_categories: z.array(z.string()).optional(),
  threshold: z.number().min(-1).max(1).optional(),
});

const languageSignal = z.object({
  name,
  /** ISO 639-1 codes this signal matches; default: [name]. */
  languages: z.array(z.string().min(2)).optional(),
  description: z.string().optional(),
});

const contextSignal = z.object({
  name,
  min_tokens: tokenCount.optional(),
  max_tokens: tokenCount.optional(),
  description: z.string().optional(),
});

const phraseSet = z.object({ candidates: z.array(z.string().min(1)).min(1) });
const complexitySignal = z.object({
  name,
  /** Probability of `hard` (or of `easy`) needed to call that level; between them is `medium`. */
  threshold: z.number().min(0.5).max(1).default(0.6),
  description: z.string().optional(),
  hard: phraseSet,
  easy: phraseSet,
});

export const PII_TYPES = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'US_SSN', 'IP_ADDRESS'] as const;
const piiSignal = z.object({
  name,
  threshold: z.number().min(0).max(1).default(0.5),
  pii_types_allowed: z.array(z.enum(PII_TYPES)).default([]),
  include_history: z.boolean().default(false),
  description: z.string().optional(),
});

const jailbreakSignal = z.object({
  name,
  method: z.enum(['hybrid', 'pattern', 'embedding']).default('hybrid'),
  threshold: z.number().min(0).max(1).default(0.7),
  include_history: z.boolean().default(false),
  description: z.string().optional(),
  jailbreak_patterns: z.array(z.string().min(1)).optional(),
  benign_patterns: z.array(z.string().min(1)).optional(),
});

export const signalsSchema = z.object({
  keywords: z.array(keywordSignal).default([]),
  embeddings: z.array(embeddingSignal).default([]),
  domains: z.array(domainSignal).default([]),
  language: z.array(languageSignal).default([]),
  context: z.array(contextSignal).default([]),
  complexity: z.array(complexitySignal).default([]),
  pii: z.array(piiSignal).default([]),
  jailbreak: z.array(jailbreakSignal).default([]),
});

// ---------------------------------------------------------------- decisions

/** A rule node: a leaf `{type, name}` or a group `{operator, conditions}`; `{}` matches everything. */
export type RuleNode =
  | { type: string; name: string }
  | { operator: 'AND' | 'OR' | 'NOT'; conditions: RuleNode[] }
  | Record<string, never>;

const RULE_OPERATORS = ['AND', 'OR', 'NOT'] as const;

/** Validates a rule tree by hand so each error points at the exact node (a zod union would blur it). */
function checkRule(node: unknown, path: (string | number)[], ctx: z.RefinementCtx): RuleNode | undefined {
  const issue = (message: string, at = path) => ctx.addIssue({ code: 'custom', message, path: at });
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    issue('expected a rule: {type, name}, {operator, conditions} or {}');
    return undefined;
  }
  const o = node as Record<string, unknown>;
  if ('operator' in o) {
    const op = typeof o.operator === 'string' ? o.operator.toUpperCase() : '';
    if (!(RULE_OPERATORS as readonly string[]).includes(op)) {
      issue(`expected operator AND, OR or NOT, got ${JSON.stringify(o.operator)}`, [...path, 'operator']);
    }
    const conds = o.conditions ?? [];
    if (!Array.isArray(conds)) {
      issue('expected a list of conditions', [...path, 'conditions']);
      return undefined;
    }
    if (op === 'NOT' && conds.length === 0) issue('NOT needs at least one condition', [...path, 'conditions']);
    const conditions = conds.map((c, i) => checkRule(c, [...path, 'conditions', i], ctx));
    if (conditions.some((c) => c === undefined)) return undefined;
    return { operator: op as 'AND' | 'OR' | 'NOT', conditions: conditions as RuleNode[] };
  }
  if ('type' in o || 'name' in o) {
    if (typeof o.type !== 'string' || o.type === '') issue('expected a signal type (string)', [...path, 'type']);
    if (typeof o.name !== 'string' || o.name === '') issue('expected a signal name (string)', [...path, 'name']);
    return typeof o.type === 'string' && typeof o.name === 'string' ? { type: o.type, name: o.name } : undefined;
  }
  if (Object.keys(o).length === 0) return {};
  issue(`expected a rule: {type, name}, {operator, conditions} or {}; got keys ${Object.keys(o).join(', ')}`);
  return undefined;
}

export const ruleSchema = z.unknown().optional().transform((v, ctx): RuleNode => {
  const r = checkRule(v ?? {}, [], ctx);
  return r ?? z.NEVER;
});

const modelRef = z.object({
  model: name,
  weight: z.number().finite().min(0, { error: 'expected a weight >= 0' }).default(1),
  use_reasoning: z.boolean().optional(),
  reasoning_effort: z.string().optional(),
  lora_name: z.string().optional(),
});

/** `algorithm: {type, <type>: params}`; params are validated by the selector registry, not here. */
const algorithm = z.looseObject({ type: z.string().min(1) });

export const CACHE_PLUGIN_TYPES = ['semantic-cache', 'semantic_cache', 'response_cache'] as const;
const cachePlugin = z.object({
  type: z.enum(CACHE_PLUGIN_TYPES),
  enabled: z.boolean().default(true),
  mode: z.enum(['exact', 'semantic', 'exact_then_semantic']).default('exact_then_semantic'),
  similarity_threshold: z.number().min(0).max(1).default(0.92),
  ttl_seconds: z.number().int().positive().default(3600),
  max_entries: z.number().int().positive().default(10_000),
  scope: z.enum(['global', 'header']).default('global'),
  scope_header: z.string().min(1).optional(),
});
/** Cache plugins are validated strictly; other vSR plugins are kept as they are, not interpreted. */
const plugin = z.looseObject({ type: z.string().min(1) }).transform((p, ctx) => {
  if (!(CACHE_PLUGIN_TYPES as readonly string[]).includes(p.type)) return p;
  const r = cachePlugin.safeParse(p);
  if (r.success) return r.data;
  for (const i of r.error.issues) {
    ctx.addIssue({ code: 'custom', message: i.message, path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)) });
  }
  return z.NEVER;
});

export const decisionSchema = z.object({
  name,
  description: z.string().optional(),
  priority: z.number().finite().default(0),
  rules: ruleSchema,
  modelRefs: z.array(modelRef).min(1, { error: 'expected at least one model in modelRefs' }),
  algorithm: algorithm.optional(),
  plugins: z.array(plugin).optional(),
});

const promptSource = z.object({
  mode: z.enum(['last_user', 'conversation']).default('last_user'),
  include_system: z.boolean().default(false),
  window: z.number().int().positive().default(6),
});

/** How domain signals classify: nearest centroid of each domain's texts, or k nearest texts. */
const domainClassifier = z.object({
  method: z.enum(['centroid', 'knn']).default('centroid'),
  k: z.number().int().positive().default(5),
  /** Softmax temperature turning cosine scores into a distribution over domains. */
  temperature: z.number().positive().default(0.05),
});

/** The bundled task library (or one of the same layout) that gives cards labelled prototypes. */
const taskLibrary = z.object({
  enabled: z.boolean().default(true),
  /** A library directory (taxonomy.json + prompts/*.jsonl); default: the one bundled with @semroute/router. */
  path: z.string().min(1).optional(),
});

/** Prompts whose two best cards score within `margin` go to `model` (reasonCode low_confidence). */
const lowConfidence = z.object({
  margin: z.number().finite().min(0, { error: 'expected a margin >= 0' }),
  model: name,
});

const routing = z.object({
  modelCards: z.array(modelCardSchema).default([]),
  signals: signalsSchema.default(signalsSchema.parse({})),
  decisions: z.array(decisionSchema).default([]),
  strategy: z.enum(['priority', 'confidence']).default('priority'),
  auto_model_names: z.array(name).optional(),
  prompt_source: promptSource.default(promptSource.parse({})),
  domain_classifier: domainClassifier.default(domainClassifier.parse({})),
  task_library: taskLibrary.default(taskLibrary.parse({})),
  low_confidence: lowConfidence.optional(),
});

const embedding = z.object({
  model_path: z.string().min(1).optional(),
  layer: z.number().int().positive().optional(),
  dim: z.number().int().positive().optional(),
  max_batch: z.number().int().positive().default(32),
  query_instruction: z.string().optional(),
  /**
   * Precision of the encoder's matrix products: f32 (default), bf16 (AVX-512 BF16 CPUs only) or
   * int8 (int8 weights with group scales, f32 arithmetic; AVX-512 CPUs only).
   */
  precision: z.enum(['f32', 'bf16', 'int8']).default('f32'),
});

const redisConn = z.object({
  url: z.string().min(1).default('redis://127.0.0.1:6379'),
  key_prefix: z.string().default('semroute:'),
});
const backendChoice = z.object({
  backend: z.enum(['memory', 'redis']).default('memory'),
  redis: redisConn.optional(),
});

/** The sidecar's listeners: bearer token for the HTTP API's /v1 endpoints, TLS for the gRPC listener. */
const server = z.object({
  api_token: z.string().min(1, { error: 'expected a non-empty token (or leave api_token out)' }).optional(),
  tls: z.object({ cert_file: z.string().min(1), key_file: z.string().min(1) }).optional(),
});

export const routerConfigSchema = z.object({
  version: z.string().optional(),
  server: server.optional(),
  providers: providers.default(providers.parse({})),
  routing: routing.default(routing.parse({})),
  embedding: embedding.default(embedding.parse({})),
  state: backendChoice.default(backendChoice.parse({})),
  cache: backendChoice.default(backendChoice.parse({})),
});

/** The parsed, validated config: a closed type; YAML names kept as written. */
export type RouterConfig = z.output<typeof routerConfigSchema>;
export type ModelCard = z.output<typeof modelCardSchema>;
export type ProviderModel = z.output<typeof providerModelSchema>;
export type DecisionConfig = z.output<typeof decisionSchema>;
export type SignalsConfig = z.output<typeof signalsSchema>;
export type CachePluginConfig = z.output<typeof cachePlugin>;
export type PromptSourceConfig = z.output<typeof promptSource>;
export type DomainClassifierConfig = z.output<typeof domainClassifier>;
export type TaskLibraryConfig = z.output<typeof taskLibrary>;
export type LowConfidenceConfig = z.output<typeof lowConfidence>;
