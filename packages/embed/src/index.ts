// @semroute/embed: local transformer embeddings (BERT, ModernBERT/mmBERT, Qwen3-Embedding)
// computed by a Rust candle core through a private N-API binding.

export { Embedder, rows } from './embedder.js';
export type { Architecture, EmbedCallOptions, EmbedderInfo, EmbedderOptions, Embeddings, Precision } from './embedder.js';
export { PRECISIONS } from './embedder.js';
export type { CoalesceOptions } from './coalescer.js';
export { EmbedError } from './errors.js';
export { trimNativeHeap } from './native.js';
export type { EmbedErrorCode } from './errors.js';
