// ContainerPilot's own series, named and labelled exactly as ContainerPilot 3.8 exposes them, so
// existing dashboards and alerts keep working.
import { Counter, Gauge, type Registry } from 'prom-client';

export const BUILTIN_METRIC_NAMES = [
  'containerpilot_events',
  'containerpilot_control_http_requests',
  'containerpilot_watch_instances',
] as const;

export interface BuiltinMetrics {
  events: Counter<'code' | 'source'>;
  controlRequests: Counter<'code' | 'path'>;
  watchInstances: Gauge<'service'>;
}

export function registerBuiltinMetrics(registry: Registry): BuiltinMetrics {
  return {
    events: new Counter({
      name: 'containerpilot_events',
      help: 'count of ContainerPilot events, partitioned by type and source',
      labelNames: ['code', 'source'],
      registers: [registry],
    }),
    controlRequests: new Counter({
      name: 'containerpilot_control_http_requests',
      help: 'count of requests to control socket, partitioned by path and HTTP code',
      labelNames: ['code', 'path'],
      registers: [registry],
    }),
    watchInstances: new Gauge({
      name: 'containerpilot_watch_instances',
      help: 'gauge of instances found for each ContainerPilot watch, partitioned by service',
      labelNames: ['service'],
      registers: [registry],
    }),
  };
}
