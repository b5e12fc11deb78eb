// The gRPC side: envoy.service.ext_proc.v3.ExternalProcessor/Process plus grpc.health.v1.Health,
// HTTP/2 (plaintext, or TLS from a certificate and key). Each stream gets an Exchange; its messages
// are handled strictly in order. Limits: a cap on open streams, an idle deadline per stream.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { EXT_PROC_SERVICE, loadExtProcDefinition, type ProcessingRequest, type ProcessingResponse } from './proto.js';
import { continueResponse, requestHeadersAnswer, steeringHeaders } from './messages.js';
import { Exchange, type ExchangeDeps } from './exchange.js';

export interface GrpcSidecar {
  server: grpc.Server;
  health: HealthImplementation;
  /** Resolves once every open stream has ended (or `timeoutMs` passed, then they are cancelled). */
  drain(timeoutMs: number): Promise<void>;
}

export interface StreamLimits {
  /** Largest ProcessingRequest accepted: the body limit plus headroom; larger ones fail that stream. */
  maxMessageBytes: number;
  /** Open streams at once; a stream beyond it is refused with RESOURCE_EXHAUSTED. */
  maxStreams: number;
  /** A stream with no message from the gateway for this long is closed with DEADLINE_EXCEEDED. */
  idleTimeoutMs: number;
}

/** How long a stream refused over the cap may take to send its request headers (answered, see below). */
const REFUSED_HEADERS_WAIT_MS = 1000;

/** Builds the server (not yet bound). */
export function createGrpcSidecar(deps: ExchangeDeps, limits: StreamLimits): GrpcSidecar {
  const maxMessageBytes = limits.maxMessageBytes;
  const def = loadExtProcDefinition();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const open = new Set<grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>>();
  let onIdle: (() => void) | undefined;

  const process = (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
    if (open.size >= limits.maxStreams) {
      // The gateway fails open on a refused stream: the request goes through unrouted. Its request
      // headers are still answered first (the client's steering headers removed, nothing else), so
      // a client cannot pick the route by flooding the sidecar with streams.
      deps.metrics.streamLimits.inc({ reason: 'stream_cap' });
      deps.log.warn({ open: open.size, maxStreams: limits.maxStreams }, 'ext_proc stream refused: too many open streams');
      const refuse = () => call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: `more than ${limits.maxStreams} open ext_proc streams` });
      const wait = setTimeout(refuse, REFUSED_HEADERS_WAIT_MS);
      wait.unref();
      call.once('data', (msg: ProcessingRequest) => {
        clearTimeout(wait);
        if (msg.request_headers && !msg.observability_mode && call.writable && !call.cancelled) call.write(fallback(msg)[0]!);
        refuse();
      });
      return;
    }
    open.add(call);
    deps.metrics.inflightStreams.inc();
    const exchange = new Exchange(deps);
    let queue: Promise<void> = Promise.resolve();
    let finished = false;
    const idle = setTimeout(() => {
      if (finished) return;
      deps.metrics.streamLimits.inc({ reason: 'idle_timeout' });
      deps.log.info({ idleTimeoutMs: limits.idleTimeoutMs }, 'ext_proc stream closed: no message within the idle deadline');
      // Full-duplex with the body incomplete: the headers answer is still held. Send it (steering
      // headers removed) before closing, whatever the gateway then does with the request.
      for (const r of exchange.releaseHeldHeaders()) if (!call.cancelled && call.writable) call.write(r);
      finish();
      call.emit('error', { code: grpc.status.DEADLINE_EXCEEDED, details: `no ext_proc message for ${limits.idleTimeoutMs} ms` });
    }, limits.idleTimeoutMs);
    idle.unref();
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      exchange.dispose();
      open.delete(call);
      deps.metrics.inflightStreams.dec();
      if (open.size === 0) onIdle?.();
    };
    call.on('data', (msg: ProcessingRequest) => {
      idle.refresh();
      queue = queue.then(async () => {
        let out: ProcessingResponse[];
        try {
          out = await exchange.handle(msg);
        } catch (err) {
          // Never fail the request: answer as if the sidecar had nothing to say.
          deps.metrics.errors.inc({ kind: 'exchange' });
          deps.log.error({ err: (err as Error).message }, 'ext_proc message handling failed; continuing without mutation');
          out = fallback(msg);
        }
        for (const r of out) if (!call.cancelled && call.writable) call.write(r);
      });
    });
    call.on('end', () => {
      void queue.then(() => {
        if (!call.cancelled && call.writable) call.end();
        finish();
      });
    });
    call.on('error', (err) => {
      deps.log.debug({ err: err.message }, 'ext_proc stream error');
      finish();
    });
    call.on('cancelled', finish);
    call.on('close', finish);
  };

  server.addService(def[EXT_PROC_SERVICE] as grpc.ServiceDefinition, { Process: process });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [EXT_PROC_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);

  return {
    server,
    health,
    drain: (timeoutMs) =>
      new Promise<void>((resolve) => {
        if (open.size === 0) return resolve();
        const timer = setTimeout(() => {
          // Closing cleanly lets the gateway proceed without the sidecar for those requests.
          for (const c of open) if (c.writable) c.end();
          resolve();
        }, timeoutMs);
        timer.unref();
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

/** The no-op answer for a message, used only if handling it threw. */
function fallback(msg: ProcessingRequest): ProcessingResponse[] {
  if (msg.observability_mode) return [];
  if (msg.request_headers) return [{ request_headers: { response: requestHeadersAnswer(steeringHeaders(msg.request_headers.headers?.headers)) } }];
  if (msg.response_headers) return [{ response_headers: { response: continueResponse() } }];
  if (msg.request_body) return [{ request_body: { response: continueResponse() } }];
  if (msg.response_body) return [{ response_body: { response: continueResponse() } }];
  if (msg.request_trailers) return [{ request_trailers: {} }];
  if (msg.response_trailers) return [{ response_trailers: {} }];
  return [];
}

/** Binds to host:port (TLS when a PEM certificate and key are given); resolves to the bound port (useful with port 0). */
export function bindGrpc(server: grpc.Server, host: string, port: number, tls?: { cert: Buffer; key: Buffer }): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  const credentials = tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false) : grpc.ServerCredentials.createInsecure();
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}
