// prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC...), in one registry
// shared by every Telemetry of the process. They describe the process, not an App, and collecting
// them installs observers that are never removed: one set per reload would pile up.
import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

export function processMetricsRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
