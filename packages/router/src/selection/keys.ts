// Key layout of the learning state. Every key is one Redis-native structure so each store call maps to
// one atomic Redis operation: hashes (HMGET / HINCRBYFLOAT in MULTI / HSET), bounded lists
// (RPUSH + LTRIM), strings (SET PX). A store may add its own prefix (e.g. `semroute:`).

/** Hash, field = model, value = Elo rating. */
export const eloKey = (decision: string): string => `elo:${decision}`;

/** Hash, fields `<model>:alpha` / `<model>:beta`: accumulated reward / (1 - reward) for Thompson sampling. */
export const rlKey = (decision: string): string => `rl:${decision}`;

/** Hash, fields `<model>:success` / `<model>:trials`: outcome history for automix. */
export const automixKey = (decision: string): string => `automix:${decision}`;

/** Bounded list of time-to-first-token samples (ms) of a model, newest last. */
export const ttftKey = (model: string): string => `latency:${model}:ttft`;

/** Bounded list of time-per-output-token samples (ms) of a model, newest last. */
export const tpotKey = (model: string): string => `latency:${model}:tpot`;

/** String with TTL: the model a session was last routed to within a decision. */
export const sessionKey = (decision: string, sessionId: string): string => `session:${decision}:${sessionId}`;

/** Hash, field = model, value = requests in flight (kept by the server around each upstream call). */
export const INFLIGHT_KEY = 'inflight';
