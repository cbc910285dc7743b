// The metrics declared in telemetry.metrics, fed through the control socket (-putmetric).
// A metric's full name is namespace_subsystem_name with empty parts left out, so a name-only
// metric is just its name (ContainerPilot #569 named it `__name` and never updated it).
import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import type { MetricConfig } from '../config/types.ts';
import { ControlInputError, UnknownMetricError } from '../control/errors.ts';
import { BUILTIN_METRIC_NAMES } from './builtin-metrics.ts';

type Recorder = (value: number) => void;

export const fullMetricName = (metric: Pick<MetricConfig, 'namespace' | 'subsystem' | 'name'>): string =>
  [metric.namespace, metric.subsystem, metric.name].filter((part) => part !== '').join('_');

const VALID_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export class UserMetrics {
  private readonly recorders = new Map<string, Recorder>();
  private readonly types = new Map<string, MetricConfig['type']>();

  constructor(configs: readonly MetricConfig[], registry: Registry) {
    for (const config of configs) {
      const name = fullMetricName(config);
      if (!VALID_NAME.test(name))
        throw new Error(`telemetry.metrics: "${name}" is not a valid Prometheus metric name`);
      if (this.recorders.has(name) || (BUILTIN_METRIC_NAMES as readonly string[]).includes(name)) {
        throw new Error(`telemetry.metrics: metric "${name}" is declared twice`);
      }
      this.recorders.set(name, createRecorder(name, config, registry));
      this.types.set(name, config.type);
    }
  }

  get names(): string[] {
    return [...this.recorders.keys()];
  }

  /** Records every value, or none: an unknown name or a bad value rejects the whole batch. */
  put(values: Record<string, number>): void {
    const batch = Object.entries(values).map(([name, value]) => {
      const recorder = this.recorders.get(name);
      if (!recorder) throw new UnknownMetricError(name, this.names);
      if (!Number.isFinite(value))
        throw new ControlInputError(`value of metric "${name}" must be a finite number`);
      if (this.types.get(name) === 'counter' && value < 0) {
        throw new ControlInputError(`metric "${name}" is a counter and only goes up; got ${value}`);
      }
      return () => recorder(value);
    });
    for (const record of batch) record();
  }
}

function createRecorder(name: string, config: MetricConfig, registry: Registry): Recorder {
  const common = { name, help: config.help || name, registers: [registry] };
  switch (config.type) {
    case 'counter': {
      const counter = new Counter(common);
      return (value) => counter.inc(value);
    }
    case 'gauge': {
      const gauge = new Gauge(common);
      return (value) => gauge.set(value);
    }
    case 'histogram': {
      // prom-client's default buckets are the Go client's DefBuckets ContainerPilot used.
      const histogram = new Histogram(common);
      return (value) => histogram.observe(value);
    }
    case 'summary': {
      // The Go client defaults ContainerPilot inherited: these quantiles over a 10-minute window.
      const summary = new Summary({
        ...common,
        percentiles: [0.5, 0.9, 0.99],
        maxAgeSeconds: 600,
        ageBuckets: 5,
      });
      return (value) => summary.observe(value);
    }
  }
}
