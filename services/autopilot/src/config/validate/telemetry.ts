// `telemetry` (Prometheus endpoint, registered in Consul as "containerpilot") and `control` (socket).
import type { ControlConfig, MetricConfig, TelemetryConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { describePath, type Checker } from './checker.ts';
import { validateInterfaces } from './interfaces.ts';

const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary'] as const;
const METRIC_PART = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const DEFAULT_TELEMETRY_PORT = 9090;
/** Also where the client verbs look when neither $CONTAINERPILOT_SOCKET nor a config names one. */
export const DEFAULT_CONTROL_SOCKET = '/var/run/containerpilot.socket';
/** sockaddr_un.sun_path is 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

export function validateTelemetry(ck: Checker, raw: unknown): TelemetryConfig | undefined {
  const path: Path = ['telemetry'];
  const before = ck.issues.length;
  const o = ck.object(path, raw, ['port', 'interfaces', 'tags', 'metrics']);
  if (!o) return undefined;
  const has = (k: string): boolean => o[k] !== undefined && o[k] !== null;
  const port = has('port')
    ? ck.integer([...path, 'port'], o.port, { min: 1, max: 65535, rule: 'port' })
    : DEFAULT_TELEMETRY_PORT;
  const interfaces = validateInterfaces(ck, [...path, 'interfaces'], o.interfaces);
  const tags = has('tags') ? ck.stringList([...path, 'tags'], o.tags) : [];
  const metrics: MetricConfig[] = [];
  if (has('metrics')) {
    if (!Array.isArray(o.metrics))
      ck.fail([...path, 'metrics'], 'type', 'telemetry.metrics must be an array');
    else {
      const seen = new Set<string>();
      o.metrics.forEach((m, i) => {
        const metric = validateMetric(ck, [...path, 'metrics', i], m);
        if (!metric) return;
        const full = [metric.namespace, metric.subsystem, metric.name].filter(Boolean).join('_');
        if (seen.has(full))
          ck.fail([...path, 'metrics', i, 'name'], 'metric-unique', `metric "${full}" is defined twice`);
        seen.add(full);
        metrics.push(metric);
      });
    }
  }
  if (ck.issues.length > before || port === undefined || !interfaces || !tags) return undefined;
  return { port, interfaces, tags, metrics };
}

function validateMetric(ck: Checker, path: Path, raw: unknown): MetricConfig | undefined {
  const o = ck.object(path, raw, ['namespace', 'subsystem', 'name', 'help', 'type']);
  if (!o) return undefined;
  const part = (k: 'namespace' | 'subsystem' | 'name', required: boolean): string | undefined => {
    if (o[k] === undefined || o[k] === null || o[k] === '') {
      return required ? ck.fail(path, 'metric-name', `${describePath(path)} needs a "name"`) : '';
    }
    const s = ck.string([...path, k], o[k]);
    if (s !== undefined && !METRIC_PART.test(s))
      return ck.fail(
        [...path, k],
        'metric-name',
        `${describePath(path)}.${k} "${s}" must match ${METRIC_PART.source}`,
      );
    return s;
  };
  const [namespace, subsystem, name] = [
    part('namespace', false),
    part('subsystem', false),
    part('name', true),
  ];
  const type =
    o.type === undefined
      ? ck.fail(path, 'metric-type', `${describePath(path)} needs a "type" (${METRIC_TYPES.join(', ')})`)
      : ck.oneOf([...path, 'type'], o.type, METRIC_TYPES, 'metric-type');
  const help =
    o.help === undefined || o.help === null
      ? undefined
      : ck.string([...path, 'help'], o.help, { nonEmpty: false });
  if (namespace === undefined || subsystem === undefined || name === undefined || type === undefined)
    return undefined;
  // Prometheus requires help text; default to the full metric name rather than reject the config.
  const fullName = [namespace, subsystem, name].filter(Boolean).join('_');
  return { namespace, subsystem, name, help: help || fullName, type };
}

/**
 * `defaultSocket` is $CONTAINERPILOT_SOCKET when set (several autopilots on one machine, or a
 * socket in a shared emptyDir), else ContainerPilot's default; the file's control.socket wins.
 */
export function validateControl(ck: Checker, raw: unknown, defaultSocket: string): ControlConfig {
  if (raw === undefined || raw === null) return { socket: defaultSocket };
  const o = ck.object(['control'], raw, ['socket']);
  if (!o || o.socket === undefined || o.socket === null) return { socket: defaultSocket };
  const socket = ck.string(['control', 'socket'], o.socket);
  if (socket !== undefined && Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    ck.fail(
      ['control', 'socket'],
      'control-socket',
      `control.socket path is ${Buffer.byteLength(socket)} bytes; unix sockets allow at most ${MAX_SOCKET_PATH_BYTES}`,
    );
  }
  return { socket: socket ?? defaultSocket };
}
