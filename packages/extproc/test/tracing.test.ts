// The server-side OpenTelemetry span: no-op by default, recorded once an SDK (here a minimal
// hand-written provider) is registered with @opentelemetry/api.
import { trace, type Attributes, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeRouter } from './fake-router.js';
import { chatHeaders } from './envoy-client.js';
import { chatBody, startHarness, type Harness } from './helpers.js';

interface Recorded {
  name: string;
  attributes: Attributes;
  ended: boolean;
}
const spans: Recorded[] = [];

function recordingSpan(rec: Recorded): Span {
  const span = {
    spanContext: () => ({ traceId: `${'0'.repeat(31)}1`, spanId: `${'0'.repeat(15)}1`, traceFlags: 1 }),
    setAttribute: (k: string, v: unknown) => {
      rec.attributes[k] = v as never;
      return span;
    },
    setAttributes: (a: Attributes) => {
      Object.assign(rec.attributes, a);
      return span;
    },
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: () => span,
    updateName: () => span,
    end: () => {
      rec.ended = true;
    },
    isRecording: () => true,
    recordException: () => {},
  };
  return span as unknown as Span;
}

const tracer = {
  startSpan: (name: string, opts?: { attributes?: Attributes }) => {
    const rec = { name, attributes: { ...opts?.attributes }, ended: false };
    spans.push(rec);
    return recordingSpan(rec);
  },
  startActiveSpan: (name: string, opts: { attributes?: Attributes }, fn: (s: Span) => unknown) => fn(tracer.startSpan(name, opts)),
} as unknown as Tracer;

let h: Harness;
beforeAll(async () => {
  trace.setGlobalTracerProvider({ getTracer: () => tracer } as TracerProvider);
  h = await startHarness([new FakeRouter()]);
});
afterAll(async () => {
  await h.stop();
  trace.disable();
});

it('wraps each routing answer in a semroute.extproc.route span with the outcome attributes', async () => {
  await h.client.buffered(chatHeaders({ 'x-request-id': 'trace-me' }), chatBody('python bug'));
  const s = spans.find((x) => x.name === 'semroute.extproc.route')!;
  expect(s).toBeDefined();
  expect(s.ended).toBe(true);
  expect(s.attributes).toMatchObject({ 'semroute.request_id': 'trace-me', 'semroute.original_model': 'MoM', 'semroute.selected_model': 'qwen-coder', 'semroute.decision': 'coding' });
});
