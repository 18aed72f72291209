/**
 * Starts the OpenTelemetry SDK where TELEMETRY says, once per process:
 * - `azure-monitor`: the Azure Monitor distro sends metrics and traces to Application Insights,
 *   authenticating with the managed identity (the component accepts Entra ID tokens only; the
 *   identity holds Monitoring Metrics Publisher on it, infra/app/rbac.bicep);
 * - `console`: both are printed to standard output (local runs);
 * - `off`: nothing is recorded.
 * The distro's automatic instrumentations stay off: the spans and metrics that matter are the
 * ones the sync records itself, and patching every HTTP call would cost each job for little.
 * The distro is imported only when it is used: loading it costs about a second and 70 MB on every
 * cold start (npm run bench -- cold-start), which a start with telemetry off should not pay.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { metrics, trace } from '@opentelemetry/api';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TelemetryConfig } from '../config/config.js';
import { createOpenTelemetry, INSTRUMENTATION_NAME } from './otel-telemetry.js';
import { noTelemetry, type Telemetry } from './telemetry.js';

let started: Telemetry | undefined;

export async function startTelemetry(config: TelemetryConfig, managedIdentityClientId: string | undefined): Promise<Telemetry> {
  if (config.export === 'off') return noTelemetry;
  if (started) return started;
  if (config.export === 'azure-monitor') {
    const { useAzureMonitor } = await import('@azure/monitor-opentelemetry');
    // Another start may have finished while this one waited for the import.
    if (started) return started;
    useAzureMonitor({
      azureMonitorExporterOptions: {
        connectionString: config.connectionString,
        credential: new DefaultAzureCredential({ managedIdentityClientId }),
      },
      instrumentationOptions: {
        http: { enabled: false },
        azureSdk: { enabled: false },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        postgreSql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
      },
    });
    started = createOpenTelemetry(metrics.getMeter(INSTRUMENTATION_NAME), trace.getTracer(INSTRUMENTATION_NAME));
  } else {
    started = startSdkTelemetry({
      metricReaders: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() })],
      spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
    }).telemetry;
  }
  return started;
}

export interface SdkTelemetry {
  readonly telemetry: Telemetry;
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: NodeTracerProvider;
  shutdown(): Promise<void>;
}

/**
 * The plain OpenTelemetry SDK with the given readers and span processors (the console here;
 * in-memory exporters in tests and the bench). Spans follow the async context, so the
 * process-wide context manager is registered the first time.
 */
export function startSdkTelemetry(options: { metricReaders: readonly MetricReader[]; spanProcessors: readonly SpanProcessor[] }): SdkTelemetry {
  const meterProvider = new MeterProvider({ readers: [...options.metricReaders] });
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [...options.spanProcessors] });
  registerContextOnce(tracerProvider);
  return {
    telemetry: createOpenTelemetry(meterProvider.getMeter(INSTRUMENTATION_NAME), tracerProvider.getTracer(INSTRUMENTATION_NAME)),
    meterProvider,
    tracerProvider,
    async shutdown() {
      await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}

let contextRegistered = false;

function registerContextOnce(provider: NodeTracerProvider): void {
  if (contextRegistered) return;
  provider.register();
  contextRegistered = true;
}
