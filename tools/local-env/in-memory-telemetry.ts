/**
 * The real OpenTelemetry SDK recording into memory, for tests and the bench: metrics through an
 * InMemoryMetricExporter (cumulative; read on demand), spans through an InMemorySpanExporter.
 */
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startSdkTelemetry } from '../../shared/observability/start-telemetry.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';

export type AttributeFilter = Readonly<Record<string, string>>;

export interface InMemoryTelemetry {
  readonly telemetry: Telemetry;
  /** Sum of a counter's points whose attributes include `where`. */
  counted(name: string, where?: AttributeFilter): Promise<number>;
  /** Values recorded into a histogram, over its points whose attributes include `where`. */
  histogramCount(name: string, where?: AttributeFilter): Promise<number>;
  /** A gauge's points (attributes → value). */
  gauge(name: string): Promise<ReadonlyArray<{ attributes: Record<string, unknown>; value: number }>>;
  /** Every span ended so far. */
  spans(): readonly ReadableSpan[];
  shutdown(): Promise<void>;
}

export function startInMemoryTelemetry(): InMemoryTelemetry {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports when asked (forceFlush), not on a timer.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 2 ** 31 - 1 });
  const spans = new InMemorySpanExporter();
  const sdk = startSdkTelemetry({ metricReaders: [reader], spanProcessors: [new SimpleSpanProcessor(spans)] });

  const metric = async (name: string): Promise<MetricData | undefined> => {
    exporter.reset();
    await reader.forceFlush();
    const latest = exporter.getMetrics().at(-1);
    return latest?.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  };
  const matches = (attributes: Record<string, unknown>, where: AttributeFilter): boolean => Object.entries(where).every(([k, v]) => attributes[k] === v);

  return {
    telemetry: sdk.telemetry,
    async counted(name, where = {}) {
      const data = await metric(name);
      if (!data || data.dataPointType !== DataPointType.SUM) return 0;
      return data.dataPoints.filter((p) => matches(p.attributes, where)).reduce((sum, p) => sum + p.value, 0);
    },
    async histogramCount(name, where = {}) {
      const data = await metric(name);
      if (!data || data.dataPointType !== DataPointType.HISTOGRAM) return 0;
      return data.dataPoints.filter((p) => matches(p.attributes, where)).reduce((sum, p) => sum + p.value.count, 0);
    },
    async gauge(name) {
      const data = await metric(name);
      if (!data || data.dataPointType !== DataPointType.GAUGE) return [];
      return data.dataPoints.map((p) => ({ attributes: { ...p.attributes }, value: p.value }));
    },
    spans: () => spans.getFinishedSpans(),
    shutdown: () => sdk.shutdown(),
  };
}
