// Prometheus metrics of one server instance (its own registry: two servers in a process never mix).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  routingLatency: Histogram<'outcome'>;
  decisions: Counter<'decision' | 'reason'>;
  selectedModels: Counter<'model'>;
  passthrough: Counter<'reason'>;
  errors: Counter<'kind'>;
  inflightStreams: Gauge;
  inflightRouting: Gauge;
  cache: Counter<'result'>;
  reloads: Counter<'result'>;
  /** ext_proc streams refused or closed by a limit (stream cap, idle deadline). */
  streamLimits: Counter<'reason'>;
  /** Request body bytes held right now (the budget of `maxBufferedBytes`). */
  bufferedBytes: Gauge;
  heapTrims: Counter<'released'>;
  /** HTTP API requests refused for a missing or wrong bearer token. */
  unauthorized: Counter;
  /** Acknowledged outcomes a closed router could neither persist nor hand to its successor. */
  outcomesLost: Counter;
  /** Outcomes waiting in the live router's queue (state backend unavailable), and its capacity. */
  outcomesQueued: Gauge;
  outcomeQueueCapacity: Gauge;
  /** Queued outcomes by what became of them: replayed, unconfirmed, rejected (queue full), failed. */
  outcomes: Counter<'result'>;
  /** Run before each scrape (brings the outcome figures up to date). */
  beforeCollect: { run?: () => void };
}

/** Creates the metric set; `defaults` adds process metrics (RSS, event loop lag, GC). */
export function createMetrics(defaults = true): Metrics {
  const registry = new Registry();
  const beforeCollect: Metrics['beforeCollect'] = {};
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'semroute_' });
  const r = [registry];
  return {
    registry,
    routingLatency: new Histogram({
      name: 'semroute_routing_latency_seconds',
      help: 'Time from a complete request body to the sidecar answer (routing, cache lookup)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5],
      registers: r,
    }),
    decisions: new Counter({ name: 'semroute_decisions_total', help: 'Routed requests by decision and reason code', labelNames: ['decision', 'reason'], registers: r }),
    selectedModels: new Counter({ name: 'semroute_selected_model_total', help: 'Routed requests by selected model', labelNames: ['model'], registers: r }),
    passthrough: new Counter({ name: 'semroute_passthrough_total', help: 'Requests continued without mutation, by reason', labelNames: ['reason'], registers: r }),
    errors: new Counter({ name: 'semroute_errors_total', help: 'Errors by kind (none of them fail a request)', labelNames: ['kind'], registers: r }),
    inflightStreams: new Gauge({ name: 'semroute_extproc_streams_in_flight', help: 'Open ext_proc streams', registers: r }),
    inflightRouting: new Gauge({ name: 'semroute_routing_in_flight', help: 'Routing calls in progress', registers: r }),
    cache: new Counter({ name: 'semroute_cache_total', help: 'Semantic cache lookups and stores by result', labelNames: ['result'], registers: r }),
    reloads: new Counter({ name: 'semroute_config_reloads_total', help: 'Config reloads by result', labelNames: ['result'], registers: r }),
    streamLimits: new Counter({ name: 'semroute_extproc_stream_limit_total', help: 'ext_proc streams refused (stream_cap) or closed (idle_timeout) by a limit', labelNames: ['reason'], registers: r }),
    bufferedBytes: new Gauge({ name: 'semroute_buffered_body_bytes', help: 'Request body bytes held by all streams and HTTP requests', registers: r }),
    heapTrims: new Counter({ name: 'semroute_heap_trims_total', help: 'Native heap trims after a burst of buffered bodies (released: whether memory went back to the OS)', labelNames: ['released'], registers: r }),
    unauthorized: new Counter({ name: 'semroute_http_unauthorized_total', help: 'HTTP API requests refused for a missing or wrong bearer token', registers: r }),
    outcomesLost: new Counter({
      name: 'semroute_outcomes_lost_total',
      help: 'Acknowledged outcomes still queued (state backend unavailable) when their router closed, not handed to a successor',
      registers: r,
    }),
    outcomesQueued: new Gauge({
      name: 'semroute_outcomes_queued',
      help: 'Outcomes waiting in the local queue for the learning state backend (Redis) to come back',
      registers: r,
      collect() {
        beforeCollect.run?.();
      },
    }),
    outcomeQueueCapacity: new Gauge({ name: 'semroute_outcome_queue_capacity', help: 'Outcomes the local queue holds at most', registers: r }),
    outcomes: new Counter({
      name: 'semroute_outcomes_total',
      help: 'Queued outcomes by result: replayed, unconfirmed (sent, never answered), rejected (queue full), failed',
      labelNames: ['result'],
      registers: r,
    }),
    beforeCollect,
  };
}
