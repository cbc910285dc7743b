// The whole file: top-level keys (unknown ones rejected, as ContainerPilot's config.go does), then the
// rules that span sections: unique names, `when.source` references, and Consul being configured
// when anything needs it. Every problem is collected; a Config is returned only when there are none.
import { GLOBAL_SOURCE, SIGNAL_SOURCES } from '../../events/events.ts';
import type { ConfigIssue } from '../issues.ts';
import type { ParsedConfig, Path } from '../parse.ts';
import type { Config, JobConfig, TemplateConfig, WatchConfig } from '../types.ts';
import { Checker, describePath, isObject, type Obj } from './checker.ts';
import { validateConsul, type Env } from './consul.ts';
import { DEFAULT_STOP_TIMEOUT_MS, validateJob } from './job.ts';
import { validateLogging } from './logging.ts';
import { didYouMean } from './suggest.ts';
import { DEFAULT_CONTROL_SOCKET, validateControl, validateTelemetry } from './telemetry.ts';
import { validateTemplate } from './templates.ts';
import { validateWatch } from './watches.ts';

const TOP_KEYS = [
  'consul',
  'logging',
  'jobs',
  'watches',
  'templates',
  'telemetry',
  'control',
  'stopTimeout',
] as const;
/** ContainerPilot v2 keys: the v3 format replaced them. */
const V2_HINTS: Record<string, string> = {
  services: 'this is a ContainerPilot v2 key: v3 describes services as "jobs" with a "port"',
  backends:
    'this is a ContainerPilot v2 key: v3 uses "watches" and jobs with when: {source: "watch.<name>", each: "changed"}',
  preStart:
    'this is a ContainerPilot v2 key: v3 uses a job that other jobs wait for with when: {source: ..., once: "exitSuccess"}',
  preStop: 'this is a ContainerPilot v2 key: v3 uses a job with when: {source: ..., once: "stopping"}',
  postStop: 'this is a ContainerPilot v2 key: v3 uses a job with when: {source: ..., once: "stopped"}',
  tasks: 'this is a ContainerPilot v2 key: v3 uses jobs with when: {interval: ...}',
  coprocesses: 'this is a ContainerPilot v2 key: v3 uses jobs with restarts: "unlimited"',
};
/** The telemetry endpoint registers itself under this name. */
const TELEMETRY_SERVICE = 'containerpilot';

export interface ValidateOptions {
  env: Env;
  hostname: string;
  /** Absolute path of the config file; relative template paths resolve against its directory. */
  path: string;
  configDir: string;
}

export function validateConfig(
  doc: ParsedConfig,
  options: ValidateOptions,
): { config?: Config; issues: ConfigIssue[] } {
  const ck = new Checker(doc);
  const root = ck.object([], doc.value, TOP_KEYS, V2_HINTS);
  if (!root) return { issues: ck.issues };
  const consul = validateConsul(ck, root.consul, options.env);
  const logging = validateLogging(ck, root.logging);
  const control = validateControl(
    ck,
    root.control,
    options.env.CONTAINERPILOT_SOCKET || DEFAULT_CONTROL_SOCKET,
  );
  const telemetry =
    root.telemetry === undefined || root.telemetry === null
      ? undefined
      : validateTelemetry(ck, root.telemetry);
  let stopTimeout = DEFAULT_STOP_TIMEOUT_MS;
  if (root.stopTimeout !== undefined && root.stopTimeout !== null) {
    // ContainerPilot treats 0 as "use the default".
    stopTimeout =
      ck.duration(['stopTimeout'], root.stopTimeout, { rule: 'stop-timeout' }) || DEFAULT_STOP_TIMEOUT_MS;
  }

  const jobResults = list(ck, root, 'jobs').map(([i, raw]) => ({
    i,
    ...validateJob(ck, i, raw, options.hostname),
  }));
  const watchResults = list(ck, root, 'watches').map(([i, raw]) => ({ i, ...validateWatch(ck, i, raw) }));
  const templateResults = list(ck, root, 'templates').map(([i, raw]) => ({
    i,
    ...validateTemplate(ck, i, raw, options.configDir),
  }));

  unique(ck, 'jobs', jobResults, 'job-name-unique');
  unique(ck, 'watches', watchResults, 'watch-name-unique');
  unique(ck, 'templates', templateResults, 'template-name-unique');
  for (const { i, name } of jobResults) {
    if (name === undefined) continue;
    const reserved =
      name === GLOBAL_SOURCE ||
      (SIGNAL_SOURCES as readonly string[]).includes(name) ||
      /^(watch|template)\./.test(name) ||
      (telemetry && name === TELEMETRY_SERVICE);
    if (reserved)
      ck.fail(
        ['jobs', i, 'name'],
        'job-name-reserved',
        `job name "${name}" is reserved: it would be confused with an event source`,
      );
  }

  const sources = [
    ...jobResults.flatMap((r) => (r.name !== undefined ? [r.name] : [])),
    ...watchResults.flatMap((r) => (r.name !== undefined ? [`watch.${r.name}`] : [])),
    ...templateResults.flatMap((r) => (r.name !== undefined ? [`template.${r.name}`] : [])),
    ...SIGNAL_SOURCES,
    GLOBAL_SOURCE,
    ...(telemetry ? [TELEMETRY_SERVICE] : []),
  ];
  for (const { i, job } of jobResults) {
    if (!job || job.when.kind === 'interval' || sources.includes(job.when.source)) continue;
    const s = job.when.source;
    const kind = s.startsWith('watch.') ? 'watch' : s.startsWith('template.') ? 'template' : 'job';
    ck.fail(
      ['jobs', i, 'when', 'source'],
      'when-source',
      `job "${job.name}" waits for ${kind} "${s}", which is not defined${didYouMean(s, sources)}`,
    );
  }

  const consulAbsent = (root.consul === undefined || root.consul === null) && !options.env.CONSUL_HTTP_ADDR;
  if (consulAbsent) requireConsul(ck, root, root.telemetry !== undefined && root.telemetry !== null);

  if (ck.issues.length > 0) return { issues: ck.issues };
  return {
    issues: [],
    config: {
      path: options.path,
      ...(consul ? { consul } : {}),
      logging,
      jobs: jobResults.map((r) => r.job as JobConfig),
      watches: watchResults.map((r) => r.watch as WatchConfig),
      templates: templateResults.map((r) => r.template as TemplateConfig),
      ...(telemetry ? { telemetry } : {}),
      control,
      stopTimeout,
    },
  };
}

/** Entries of an optional top-level array (null counts as empty). */
function list(ck: Checker, root: Obj, key: string): [number, unknown][] {
  const v = root[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return ck.fail([key], 'type', `${key} must be an array`) ?? [];
  return v.map((item, i) => [i, item]);
}

function unique(ck: Checker, section: string, results: { i: number; name?: string }[], rule: string): void {
  const seen = new Map<string, number>();
  for (const { i, name } of results) {
    if (name === undefined) continue;
    const first = seen.get(name);
    if (first !== undefined)
      ck.fail(
        [section, i, 'name'],
        rule,
        `${describePath([section, i])}: name "${name}" is already used by ${describePath([section, first])}`,
      );
    else seen.set(name, i);
  }
}

function requireConsul(ck: Checker, root: Obj, hasTelemetry: boolean): void {
  const jobs = Array.isArray(root.jobs) ? root.jobs : [];
  const advertised = jobs.findIndex(
    (j) => isObject(j) && j.port !== undefined && j.port !== null && Number(j.port) !== 0,
  );
  const reasons: [Path, string][] = [];
  if (advertised >= 0) {
    const name = (jobs[advertised] as Obj).name;
    reasons.push([
      ['jobs', advertised, 'port'],
      `job ${JSON.stringify(name ?? advertised)} has a port to register`,
    ]);
  }
  if (Array.isArray(root.watches) && root.watches.length) reasons.push([['watches'], 'watches query Consul']);
  if (Array.isArray(root.templates) && root.templates.length)
    reasons.push([['templates'], 'templates render from Consul']);
  if (hasTelemetry) reasons.push([['telemetry'], 'telemetry registers itself in Consul']);
  const first = reasons[0];
  if (first)
    ck.fail(
      first[0],
      'consul-required',
      `${first[1]}, so "consul" must be configured (or CONSUL_HTTP_ADDR set)`,
    );
}
