/**
 * What the sync records about itself: metrics (named in metric-names.ts) and trace spans. The
 * use cases record through this small interface (SyncDeps.telemetry); otel-telemetry.ts backs it
 * with OpenTelemetry, `noTelemetry` with nothing. Attribute values are low-cardinality words and
 * numbers; never an address, a subject or a secret.
 */
import type { METRICS, MetricKey } from './metric-names.js';

type KeysOfKind<K extends string> = { [M in MetricKey]: (typeof METRICS)[M]['kind'] extends K ? M : never }[MetricKey];
export type CounterKey = KeysOfKind<'counter'>;
export type HistogramKey = KeysOfKind<'histogram'>;
export type GaugeKey = KeysOfKind<'gauge'>;
/** Exactly the attributes metric-names.ts lists for the metric. */
export type AttributesOf<M extends MetricKey> = { readonly [A in keyof (typeof METRICS)[M]['attributes']]: string };

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

export interface SpanOptions {
  /**
   * The work came in a message: continue the trace the message carried (W3C `traceparent`), or
   * start a new one when it carried none, never the span that happens to be active in this process.
   * Absent: a child of the active span.
   */
  readonly carried?: { readonly traceparent: string | undefined };
  readonly attributes?: SpanAttributes;
  /** What the span stands for: a request served (`server`), a message handled (`consumer`), a call out (`client`). */
  readonly kind?: 'server' | 'consumer' | 'client' | 'internal';
}

export interface Telemetry {
  count<M extends CounterKey>(metric: M, attributes: AttributesOf<M>, value?: number): void;
  record<M extends HistogramKey>(metric: M, value: number, attributes: AttributesOf<M>): void;
  /** Sets one series of a gauge; every export reports the latest value of each series. */
  gauge<M extends GaugeKey>(metric: M, value: number, attributes: AttributesOf<M>): void;
  /** Runs `work` inside a span that ends when it settles (an error marks it failed). */
  span<T>(name: string, work: () => Promise<T>, options?: SpanOptions): Promise<T>;
  /** The active span's W3C `traceparent`, to carry on a message; undefined when nothing is traced. */
  traceparent(): string | undefined;
}

/** Records nothing: telemetry off, and the default in tests that do not look at it. */
export const noTelemetry: Telemetry = {
  count: () => undefined,
  record: () => undefined,
  gauge: () => undefined,
  span: (_name, work) => work(),
  traceparent: () => undefined,
};

/** Milliseconds since `startedAt` (a `performance.now()` reading), for duration histograms. */
export const elapsedMs = (startedAt: number): number => performance.now() - startedAt;
