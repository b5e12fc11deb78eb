// @semroute/router public API.
export type * from './api.js';
export type * from './selection/types.js';
export type * from './state/types.js';
export type * from './cache/types.js';
export { createRouter, loadEmbedder, type CreateRouterOptions } from './router.js';
export { embedAll, embedLoadTexts, type LoadTimeTexts } from './load-texts.js';
export { RouterError, OutcomeValidationError, StateUnavailableError, type RouterErrorCode } from './errors.js';
export { validateOutcomes, validateOutcome, DEFAULT_MAX_OUTCOME_BATCH, MAX_LATENCY_MS, MAX_SESSION_ID_LENGTH } from './outcomes/validate.js';
export { DEFAULT_OUTCOME_QUEUE_SIZE } from './outcomes/recorder.js';
export { StateWriteError } from './state/write-error.js';
export { loadConfig, parseConfig, validateConfig, type LoadedConfig, type ParseOptions } from './config/load.js';
export type { ParsedAlgorithm } from './config/references.js';
export { ConfigError, formatIssues, type ConfigIssue } from './config/errors.js';
export type {
  RouterConfig,
  ModelCard,
  ProviderModel,
  DecisionConfig,
  SignalsConfig,
  CachePluginConfig,
  PromptSourceConfig,
  RuleNode,
} from './config/schema.js';
export { resolveModelPath } from './model-path.js';
export { promptText, contentText, lastUserText, estimateTokens } from './text/prompt.js';
export {
  parseChatRequest,
  parseChatBody,
  type ChatRequestProblem,
  type ChatRequestIssue,
  type ParsedChatRequest,
  type ParsedChatBody,
} from './request/chat-request.js';
export { cardTexts, CardIndex } from './cards/index.js';
export {
  loadTaskLibrary,
  BUNDLED_LIBRARY_DIR,
  TaskLibraryError,
  TaskRouting,
  defaultCacheDir,
  type TaskLibrary,
  type TaskType,
  type LibrarySplit,
  type TaskScores,
} from './library/index.js';
export { findPii, luhnValid } from './signals/pii.js';
export { detectLanguage } from './signals/language.js';
export { evaluateRule } from './decisions/rules.js';
export * from './selection/index.js';
export { MemoryStateStore, createMemoryStateStore, type MemoryStateStoreOptions, type LearningStateStoreFactory, type StateStoreOptions } from './state/index.js';
export {
  RedisStateStore,
  createRedisStateStore,
  createStateStore,
  type RedisStateStoreOptions,
  type StateBackendConfig,
  type StateStoreDeps,
} from './state/index.js';
export {
  createResponseStore,
  createResponseCache,
  cacheEntryKey,
  cacheKeyParts,
  normalizePrompt,
  type ResponseStore,
  type ResponseStoreOptions,
  type CacheEntryKey,
  type VectorSource,
  type ResponseCache,
  type ResponseCacheOptions,
} from './cache/index.js';
