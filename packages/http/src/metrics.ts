// Prometheus metrics of one proxy instance (its own registry: two proxies in a process never mix).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ProxyMetrics {
  registry: Registry;
  requests: Counter<'status'>;
  attempts: Counter<'model' | 'result'>;
  ttft: Histogram<'model'>;
  routing: Histogram;
  inflight: Gauge;
  cache: Counter<'result'>;
  unauthorized: Counter;
}

/** Creates the metric set; `defaults` adds process metrics (RSS, event loop lag, GC). */
export function createProxyMetrics(defaults: boolean): ProxyMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'semroute_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'semroute_proxy_requests_total', help: 'Chat completion requests by response status', labelNames: ['status'], registers }),
    attempts: new Counter({
      name: 'semroute_proxy_upstream_attempts_total',
      help: 'Upstream calls by model and result (ok, status_5xx, status_429, status_4xx, timeout, connect_error)',
      labelNames: ['model', 'result'],
      registers,
    }),
    ttft: new Histogram({
      name: 'semroute_proxy_ttft_seconds',
      help: 'Time from sending the upstream request to its first body byte',
      labelNames: ['model'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    routing: new Histogram({
      name: 'semroute_proxy_routing_seconds',
      help: 'Time to route a request (embedding, signals, selection, cache lookup)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5],
      registers,
    }),
    inflight: new Gauge({ name: 'semroute_proxy_requests_in_flight', help: 'Chat completion requests in progress', registers }),
    cache: new Counter({ name: 'semroute_proxy_cache_total', help: 'Semantic cache lookups by result', labelNames: ['result'], registers }),
    unauthorized: new Counter({ name: 'semroute_proxy_unauthorized_total', help: 'Requests refused for a missing or wrong bearer token', registers }),
  };
}
