// OpenTelemetry traces, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set and off
// otherwise. Off means free: the SDK is never loaded, `deps.tracing` is undefined and every traced
// place calls straight through (no span objects, no context switches).
//
// Spans: one per HTTP request (named by route template), one per tRPC procedure call (under the
// request's span, or a root span for calls over WebSocket) and one per database statement (under the
// procedure's). Attributes never hold a raw path, a token or query arguments: paths carry ids and
// secrets, route templates and parameterized SQL do not.
import type { IncomingHttpHeaders } from 'node:http';
import { context, defaultTextMapGetter, SpanStatusCode, trace, type Context as TraceContext, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import type { Config } from '../config.js';

export interface Tracing {
  tracer: Tracer;
  /** the trace an incoming request continues (W3C traceparent/tracestate), or the root context */
  incoming(headers: IncomingHttpHeaders): TraceContext;
  /** exports the spans still queued and stops */
  shutdown(): Promise<void>;
}

export async function startTracing(config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>): Promise<Tracing | undefined> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
    ]);
  // A span finds its parent through the active context, which needs a context manager. It is
  // process-wide (the API keeps the first one set); each server instance keeps its own provider.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME }),
    // OTLP/HTTP with JSON bodies; the signal path is appended to the base endpoint as the spec says
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` }))],
  });
  const propagator = new W3CTraceContextPropagator();
  return {
    tracer: provider.getTracer('chat-server'),
    incoming: (headers) => propagator.extract(context.active(), headers, defaultTextMapGetter),
    shutdown: () => provider.shutdown(),
  };
}

/** Runs `run` in a new span under the active one, ended when `run` settles (an error marks it failed). */
export function inSpan<R>(tracing: Tracing, name: string, options: SpanOptions, run: (span: Span) => Promise<R>): Promise<R> {
  return tracing.tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await run(span);
    } catch (err) {
      // the error's class only: messages can quote input
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error | undefined)?.name });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs `run` with `span` active (its child spans go under it); `span` is left open. */
export function withActiveSpan<R>(parent: TraceContext, span: Span, run: () => R): R {
  return context.with(trace.setSpan(parent, span), run);
}
