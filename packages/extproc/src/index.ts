// @semroute/extproc public API: the Envoy ExtProc sidecar and its HTTP API.
export { SemrouteServer, type SemrouteServerDeps, type ReloadResult } from './server.js';
export { DEFAULT_OPTIONS, resolveOptions, type ServerOptions, type SidecarOptions } from './options.js';
export { createMetrics, type Metrics } from './metrics.js';
export { loadExtProcDefinition, protoIncludeDirs, PROTO_LOADER_OPTIONS, EXT_PROC_SERVICE } from './proto.js';
export type * from './proto.js';
export { replaceTopLevelString } from './model-rewrite.js';
export type { PassReason } from './routing.js';
export { completionToSse, sseToCompletion } from './sse.js';
export { createLogger, type Logger } from './logger.js';
