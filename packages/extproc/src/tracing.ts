// OpenTelemetry span around each sidecar routing answer. @opentelemetry/api is a no-op until the
// host process registers an SDK, so this costs nothing by default.
import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('@semroute/extproc', '0.1.0');

/** Runs `fn` inside the span `name`; the span records an exception and an error status when it throws. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
