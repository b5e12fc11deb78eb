// Test client speaking ext_proc the way Envoy / agentgateway do: one stream per HTTP request,
// headers first; BUFFERED waits for each answer, FULL_DUPLEX_STREAMED sends body chunks at once.
import * as grpc from '@grpc/grpc-js';
import { EXT_PROC_SERVICE, loadExtProcDefinition, type ProcessingRequest, type ProcessingResponse } from '../src/proto.js';

type Stream = grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>;

export class EnvoyLikeClient {
  private readonly client: grpc.Client;

  constructor(address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}) {
    const def = loadExtProcDefinition();
    const Ctor = grpc.makeGenericClientConstructor(def[EXT_PROC_SERVICE] as grpc.ServiceDefinition, 'ExternalProcessor');
    this.client = new Ctor(address, credentials, {
      ...options, 'grpc.max_send_message_length': 64 * 1024 * 1024, 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  }

  /** A client that speaks TLS, trusting `caCert` (PEM). */
  static tls(address: string, caCert: Buffer): EnvoyLikeClient {
    return new EnvoyLikeClient(address, grpc.credentials.createSsl(caCert));
  }

  close(): void {
    this.client.close();
  }

  /** Opens one Process stream with a pull-style reader. */
  open(): StreamHandle {
    const call = (this.client as unknown as { Process(): Stream }).Process();
    return new StreamHandle(call);
  }

  /** BUFFERED request: headers -> answer -> whole body -> answer (as the seed gateway config does). */
  async buffered(headers: Record<string, string>, body: Buffer | string | undefined): Promise<ProcessingResponse[]> {
    const s = this.open();
    const out: ProcessingResponse[] = [];
    s.send({ request_headers: { headers: headerMap(headers), end_of_stream: body === undefined } });
    out.push(await s.next());
    if (body !== undefined && !out[0]!.immediate_response) {
      s.send({ request_body: { body: Buffer.from(body), end_of_stream: true } });
      out.push(await s.next());
    }
    s.end();
    return out;
  }

  /** FULL_DUPLEX_STREAMED request: headers and every chunk sent without waiting; reads until the body is answered. */
  async fullDuplex(headers: Record<string, string>, chunks: Array<Buffer | string>): Promise<ProcessingResponse[]> {
    const s = this.open();
    s.send({
      request_headers: { headers: headerMap(headers), end_of_stream: false },
      protocol_config: { request_body_mode: 'FULL_DUPLEX_STREAMED', response_body_mode: 'NONE' },
    });
    chunks.forEach((c, i) => {
      s.send({ request_body: { body: Buffer.from(c), end_of_stream: i === chunks.length - 1 } });
    });
    const out: ProcessingResponse[] = [];
    for (;;) {
      const r = await s.next();
      out.push(r);
      if (r.immediate_response || r.request_body?.response?.body_mutation?.streamed_response?.end_of_stream) break;
    }
    s.end();
    return out;
  }
}

export class StreamHandle {
  private readonly queue: ProcessingResponse[] = [];
  private readonly waiters: Array<{ resolve: (r: ProcessingResponse) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;
  ended = false;

  constructor(readonly call: Stream) {
    call.on('data', (r: ProcessingResponse) => {
      const w = this.waiters.shift();
      if (w) w.resolve(r);
      else this.queue.push(r);
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const w of this.waiters.splice(0)) w.reject(e);
    };
    call.on('error', fail);
    call.on('end', () => {
      this.ended = true;
      fail(new Error('stream ended by the server'));
    });
  }

  send(msg: ProcessingRequest): void {
    this.call.write(msg);
  }

  /** The next response, or a rejection after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<ProcessingResponse> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ext_proc response within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        resolve: (x) => {
          clearTimeout(timer);
          resolve(x);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  end(): void {
    this.call.end();
  }
}

/** Envoy's HeaderMap with raw_value bytes (current Envoy encoding). */
export function headerMap(h: Record<string, string>) {
  return { headers: Object.entries(h).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })) };
}

export const chatHeaders = (extra: Record<string, string> = {}) => ({
  ':method': 'POST',
  ':path': '/v1/chat/completions',
  ':authority': 'gateway.local',
  'content-type': 'application/json',
  'x-request-id': 'req-1',
  authorization: 'Bearer sk-secret-key',
  ...extra,
});

/** Header mutations of a response as a plain map (raw_value decoded). */
export function setHeadersOf(m: { set_headers?: Array<{ header?: { key: string; raw_value?: Buffer | Uint8Array; value?: string }; append_action?: string }> } | undefined) {
  const out: Record<string, { value: string; action: string | undefined }> = {};
  for (const h of m?.set_headers ?? []) {
    const v = h.header?.raw_value && h.header.raw_value.length > 0 ? Buffer.from(h.header.raw_value).toString() : (h.header?.value ?? '');
    out[h.header!.key] = { value: v, action: h.append_action };
  }
  return out;
}
