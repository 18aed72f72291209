/**
 * Telemetry on the OpenTelemetry API: one instrument per entry of metric-names.ts, spans from
 * one tracer. Where the data goes is decided by whoever registered the SDK (start-telemetry.ts:
 * Application Insights or the console; tests and the bench: in-memory exporters).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, isSpanContextValid, trace, type Attributes, type Counter, type Histogram, type Meter, type Tracer } from '@opentelemetry/api';
import { METRICS, type MetricKey } from './metric-names.js';
import { Traceparent } from './trace-context.js';
import type { CounterKey, GaugeKey, HistogramKey, Telemetry } from './telemetry.js';

export const INSTRUMENTATION_NAME = 'cmg-calendar-sync';

/** Application Insights shows server and consumer spans as requests, client spans as dependencies. */
const SPAN_KINDS = { server: SpanKind.SERVER, consumer: SpanKind.CONSUMER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

export function createOpenTelemetry(meter: Meter, tracer: Tracer): Telemetry {
  const counters = new Map<MetricKey, Counter>();
  const histograms = new Map<MetricKey, Histogram>();
  /** Gauge → series (by its attributes' JSON) → latest reading. */
  const gauges = new Map<MetricKey, Map<string, { value: number; attributes: Attributes }>>();
  for (const [key, spec] of Object.entries(METRICS) as Array<[MetricKey, (typeof METRICS)[MetricKey]]>) {
    const options = { unit: spec.unit, description: spec.meaning };
    if (spec.kind === 'counter') counters.set(key, meter.createCounter(spec.name, options));
    else if (spec.kind === 'histogram') histograms.set(key, meter.createHistogram(spec.name, options));
    else {
      const series = new Map<string, { value: number; attributes: Attributes }>();
      gauges.set(key, series);
      meter.createObservableGauge(spec.name, options).addCallback((result) => {
        for (const { value, attributes } of series.values()) result.observe(value, attributes);
      });
    }
  }

  return {
    count(metric: CounterKey, attributes, value = 1) {
      counters.get(metric)!.add(value, attributes);
    },
    record(metric: HistogramKey, value, attributes) {
      histograms.get(metric)!.record(value, attributes);
    },
    gauge(metric: GaugeKey, value, attributes) {
      gauges.get(metric)!.set(JSON.stringify(attributes), { value, attributes: { ...attributes } });
    },
    span(name, work, options = {}) {
      const parent = options.carried === undefined ? context.active() : remoteParent(options.carried.traceparent);
      return tracer.startActiveSpan(name, { kind: SPAN_KINDS[options.kind ?? 'internal'], attributes: options.attributes ?? {} }, parent, async (span) => {
        try {
          return await work();
        } catch (error) {
          // The code only: an error's message may name a mailbox or quote a provider's answer.
          const code = (error as { code?: unknown } | null)?.code;
          span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof code === 'string' ? { message: code } : {}) });
          throw error;
        } finally {
          span.end();
        }
      });
    },
    traceparent() {
      const active = trace.getActiveSpan()?.spanContext();
      if (!active || !isSpanContextValid(active)) return undefined;
      return `00-${active.traceId}-${active.spanId}-${(active.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0')}`;
    },
  };
}

/** The context of a span in another process (the webhook's), from its checked `traceparent`; none: a new trace. */
function remoteParent(traceparent: string | undefined) {
  if (traceparent === undefined || !Traceparent.safeParse(traceparent).success) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = traceparent.split('-') as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true });
}
