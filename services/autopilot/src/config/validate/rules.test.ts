import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from '../issues.ts';
import { parseConfigText } from '../parse.ts';
import { validateConfig } from './config.ts';

type Env = Record<string, string>;

function check(text: string, { env = {} as Env, hostname = 'host1', file = 'cp.json5' } = {}): ConfigIssue[] {
  const parsed = parseConfigText(text, file);
  if (!parsed.config) return parsed.issues;
  return [
    ...parsed.issues,
    ...validateConfig(parsed.config, { env, hostname, path: `/etc/${file}`, configDir: '/etc' }).issues,
  ];
}

/** line:col of the first occurrence of `marker` in `text`. */
function locationOf(text: string, marker: string): string {
  const offset = text.indexOf(marker);
  if (offset < 0) throw new Error(`marker ${marker} not in ${text}`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const C = 'consul: "consul:8500"';
const HEALTH = 'health: {exec: "true", interval: 1, ttl: 5}';

// [rule, config, marker where the error must point, fragment of the message]
const RULES: [rule: string, config: string, marker: string, message: string][] = [
  ['syntax', '{\n  jobs: [\n    {name: "a",, exec: "x"}\n  ]\n}', ', exec', 'Unexpected token Comma'],
  ['duplicate-key', '{jobs: [], jobs: []}', 'jobs: []}', 'duplicate key "jobs"'],
  [
    'unknown-key',
    '{consul: "c:8500", stopTimeOut: 5}',
    'stopTimeOut',
    'unknown key "stopTimeOut" in config; did you mean "stopTimeout"?',
  ],
  [
    'unknown-key',
    '{jobs: [{name: "a", exec: "x", restart: "never"}]}',
    'restart:',
    'unknown key "restart" in jobs[0]; did you mean "restarts"?',
  ],
  [
    'unknown-key',
    '{jobs: [{name: "a", exec: "x", initialStatus: "passing"}]}',
    'initialStatus',
    'did you mean "initial_status"?',
  ],
  [
    'unknown-key',
    `{${C}, jobs: [{name: "web", exec: "x", port: 80, health: {exec: "true", interval: 1, ttl: 5, tll: 10}}]}`,
    'tll',
    'unknown key "tll" in jobs[0].health; did you mean "ttl"?',
  ],
  [
    'unknown-key',
    '{consul: {address: "c:8500", tls: {cafile: "a", insecure: true}}}',
    'insecure',
    'unknown key "insecure" in consul.tls',
  ],
  [
    'unknown-key',
    '{services: [{name: "app"}]}',
    'services',
    'this is a ContainerPilot v2 key: v3 describes services as "jobs"',
  ],
  ['type', '{jobs: {name: "a"}}', '{name', 'jobs must be an array'],
  [
    'type',
    '{jobs: [{name: "a", exec: {cmd: "x"}}]}',
    '{cmd',
    'jobs[0].exec must be a string or an array of strings, got an object',
  ],
  ['consul-address', '{consul: "consul"}', '"consul"', 'consul must be "host:port"'],
  [
    'consul-address',
    '{consul: {address: "[fe80::1%eth0]:8500"}}',
    '"[fe80',
    'consul.address cannot use an IPv6 zone',
  ],
  [
    'consul-address',
    '{consul: {address: "https://c:99999"}}',
    '"https',
    'consul.address must be "host:port"',
  ],
  [
    'consul-address',
    '{consul: {scheme: "https"}}',
    '{scheme',
    'consul needs an "address" (or set CONSUL_HTTP_ADDR)',
  ],
  [
    'consul-scheme',
    '{consul: {address: "c:8500", scheme: "tcp"}}',
    '"tcp"',
    'consul.scheme must be one of "http", "https"',
  ],
  ['consul-scheme', '{consul: {address: "http://c:8500", scheme: "https"}}', '"https"', 'contradicts'],
  [
    'consul-tls',
    '{consul: {address: "c:8500", tls: {clientcert: "c.pem"}}}',
    '{clientcert',
    'needs both clientcert and clientkey',
  ],
  [
    'log-level',
    '{logging: {level: "VERBOSE"}}',
    '"VERBOSE"',
    'logging.level must be one of "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC"',
  ],
  [
    'log-format',
    '{logging: {format: "xml"}}',
    '"xml"',
    'logging.format must be one of "default", "text", "json"',
  ],
  ['stop-timeout', '{stopTimeout: "soon"}', '"soon"', 'stopTimeout: time: invalid duration "soon"'],
  [
    'stop-timeout',
    '{jobs: [{name: "a", exec: "x", stopTimeout: "-1s"}]}',
    '"-1s"',
    'must be at least 0s, got -1s',
  ],
  ['job-name', '{jobs: [{exec: "x"}]}', '{exec', 'jobs[0] needs a "name"'],
  [
    'job-name-unique',
    '{jobs: [{name: "a", exec: "x"}, {name: "a", exec: "y"}]}',
    '"a", exec: "y"',
    'name "a" is already used by jobs[0]',
  ],
  ['job-name-reserved', '{jobs: [{name: "watch.x", exec: "x"}]}', '"watch.x"', 'is reserved'],
  ['job-empty', '{jobs: [{name: "a"}]}', '{name', 'needs "exec" (a process to run) or "port"'],
  ['exec-empty', '{jobs: [{name: "a", exec: "   "}]}', '"   "', 'jobs[0].exec must name a command'],
  [
    'service-name',
    `{${C}, jobs: [{name: "My_App", exec: "x", port: 80, ${HEALTH}}]}`,
    '"My_App"',
    'must match ^[a-z][a-zA-Z0-9-]+$',
  ],
  [
    'port',
    `{${C}, jobs: [{name: "web", exec: "x", port: 70000, ${HEALTH}}]}`,
    '70000',
    'jobs[0].port must be between 0 and 65535',
  ],
  [
    'health-required',
    `{${C}, jobs: [{name: "web", exec: "x", port: 80}]}`,
    '{name',
    'has a port, so it needs "health"',
  ],
  [
    'health-check-kind',
    `{${C}, jobs: [{name: "web", port: 80, health: {interval: 1, ttl: 5}}]}`,
    '{interval',
    'needs exactly one of "exec", "http" or "tcp"',
  ],
  [
    'health-check-kind',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", tcp: "l:1", interval: 1, ttl: 5}}]}`,
    '"l:1"',
    'got exec and tcp',
  ],
  [
    'health-interval',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", interval: "500ms", ttl: 5}}]}`,
    '"500ms"',
    'must be at least 1s, got 500ms',
  ],
  [
    'health-interval',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", ttl: 5}}]}`,
    '{exec: "t"',
    'needs "interval"',
  ],
  [
    'health-ttl',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", interval: 1, ttl: 0}}]}`,
    '0}',
    'jobs[0].health.ttl must be at least 1s, got 0s',
  ],
  [
    'health-ttl',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", interval: 1}}]}`,
    '{exec: "t"',
    'needs "ttl"',
  ],
  [
    'health-timeout',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", interval: 1, ttl: 5, timeout: "0s"}}]}`,
    '"0s"',
    'must be at least',
  ],
  [
    'health-http',
    `{${C}, jobs: [{name: "web", port: 80, health: {http: "ftp://x/", interval: 1, ttl: 5}}]}`,
    '"ftp',
    'must be an http:// or https:// URL',
  ],
  [
    'health-http',
    `{${C}, jobs: [{name: "web", port: 80, health: {exec: "t", expectStatus: 200, interval: 1, ttl: 5}}]}`,
    'expectStatus',
    'only applies to http checks',
  ],
  [
    'health-http',
    `{${C}, jobs: [{name: "web", port: 80, health: {http: "not a url", interval: 1, ttl: 5}}]}`,
    '"not a url"',
    'must be an http:// or https:// URL, got "not a url"',
  ],
  [
    'health-tcp',
    `{${C}, jobs: [{name: "web", port: 80, health: {tcp: "[db.local]:80", interval: 1, ttl: 5}}]}`,
    '"[db',
    'must be "host:port"',
  ],
  [
    'health-tcp',
    `{${C}, jobs: [{name: "web", port: 80, health: {tcp: "localhost", interval: 1, ttl: 5}}]}`,
    '"localhost"',
    'must be "host:port"',
  ],
  [
    'health-logging',
    `{${C}, jobs: [{name: "web", port: 80, health: {tcp: "l:80", logging: {raw: true}, interval: 1, ttl: 5}}]}`,
    '{raw',
    'only applies to exec checks',
  ],
  [
    'interfaces',
    `{${C}, jobs: [{name: "web", port: 80, interfaces: ["eth0", "static:1.2.3"], ${HEALTH}}]}`,
    '"static',
    '"1.2.3" is not an IP address',
  ],
  [
    'interfaces',
    `{${C}, jobs: [{name: "web", port: 80, interfaces: "10.0.0.0/33", ${HEALTH}}]}`,
    '"10.0',
    'is not a valid CIDR',
  ],
  // Looser-looking names the runtime cannot resolve must fail here, not at every registration.
  [
    'interfaces',
    `{${C}, jobs: [{name: "web", port: 80, interfaces: ["1eth"], ${HEALTH}}]}`,
    '"1eth',
    'cannot parse interface spec',
  ],
  [
    'interfaces',
    `{${C}, jobs: [{name: "web", port: 80, interfaces: "10.0.0.1", ${HEALTH}}]}`,
    '"10.0',
    'cannot parse interface spec',
  ],
  [
    'initial-status',
    `{${C}, jobs: [{name: "web", port: 80, initial_status: "ok", ${HEALTH}}]}`,
    '"ok"',
    'must be one of "passing", "warning", "critical"',
  ],
  [
    'service-field',
    '{jobs: [{name: "a", exec: "x", initial_status: "passing"}]}',
    'initial_status',
    'needs a "port"',
  ],
  [
    'duration',
    `{${C}, jobs: [{name: "web", port: 80, consul: {deregisterCriticalServiceAfter: "10"}, ${HEALTH}}]}`,
    '"10"',
    'time: missing unit in duration "10"',
  ],
  [
    'meta-key',
    `{${C}, jobs: [{name: "web", port: 80, meta: {"consul-x": "1"}, ${HEALTH}}]}`,
    '"consul-x"',
    'must be 1-128 letters',
  ],
  [
    'when-kind',
    '{jobs: [{name: "a", exec: "x", when: {interval: "1s", once: "startup"}}]}',
    'once',
    'can have only one of "interval", "once" or "each"',
  ],
  [
    'when-kind',
    '{jobs: [{name: "b", exec: "x"}, {name: "a", exec: "x", when: {source: "b", once: "exitSuccess", each: "exitFailed"}}]}',
    'each',
    'can have only one of',
  ],
  [
    'when-kind',
    '{jobs: [{name: "b", exec: "x"}, {name: "a", exec: "x", when: {source: "b"}}]}',
    '{source',
    'needs one of "once", "each" (with "source") or "interval"',
  ],
  [
    'when-event',
    '{jobs: [{name: "b", exec: "x"}, {name: "a", exec: "x", when: {source: "b", once: "exitSucess"}}]}',
    '"exitSucess"',
    'unknown event "exitSucess"; did you mean "exitSuccess"?',
  ],
  ['when-source', '{jobs: [{name: "a", exec: "x", when: {once: "healthy"}}]}', '{once', 'needs "source"'],
  [
    'when-source',
    '{jobs: [{name: "setup", exec: "x"}, {name: "a", exec: "x", when: {source: "setpu", once: "exitSuccess"}}]}',
    '"setpu"',
    'waits for job "setpu", which is not defined; did you mean "setup"?',
  ],
  [
    'when-source',
    `{${C}, watches: [{name: "db", interval: 5}], jobs: [{name: "a", exec: "x", when: {source: "watch.web", each: "changed"}}]}`,
    '"watch.web"',
    'waits for watch "watch.web", which is not defined',
  ],
  [
    'when-signal',
    '{jobs: [{name: "a", exec: "x", when: {source: "SIGUSR1"}}]}',
    '"SIGUSR1"',
    'SIGUSR1 reopens the log file',
  ],
  [
    'when-signal',
    '{jobs: [{name: "a", exec: "x", when: {source: "SIGHUP", each: "changed"}}]}',
    '"changed"',
    'publishes only "signal" events',
  ],
  ['when-interval', '{jobs: [{name: "a", exec: "x", when: {interval: "0s"}}]}', '"0s"', 'must be at least'],
  [
    'when-timeout',
    '{jobs: [{name: "b", exec: "x"}, {name: "a", exec: "x", when: {source: "b", once: "healthy", timeout: "1x"}}]}',
    '"1x"',
    'unknown unit "x"',
  ],
  [
    'job-timeout',
    '{jobs: [{name: "a", exec: "x", timeout: "0ms"}]}',
    '"0ms"',
    'jobs[0].timeout must be at least',
  ],
  [
    'restarts',
    '{jobs: [{name: "a", exec: "x", restarts: "always"}]}',
    '"always"',
    'accepts a whole number >= 0, "unlimited" or "never"',
  ],
  ['restarts', '{jobs: [{name: "a", exec: "x", restarts: -1}]}', '-1', 'got -1'],
  [
    'restarts-unlimited-each',
    '{jobs: [{name: "b", exec: "x"}, {name: "a", exec: "x", restarts: "unlimited", when: {source: "b", each: "exitSuccess"}}]}',
    '"unlimited"',
    'may not be used with when.each',
  ],
  [
    'stop-signal',
    '{jobs: [{name: "a", exec: "x", stopSignal: "SIGQUITE"}]}',
    '"SIGQUITE"',
    'is not a signal name; did you mean "SIGQUIT"?',
  ],
  [
    'drain-delay',
    '{jobs: [{name: "a", exec: "x", drainDelay: "soon"}]}',
    '"soon"',
    'jobs[0].drainDelay: time: invalid duration',
  ],
  ['hostname', `{${C}, jobs: [{name: "web", port: 80, ${HEALTH}}]}`, '{name', 'hostname is empty'],
  [
    'consul-required',
    `{jobs: [{name: "web", port: 80, ${HEALTH}}]}`,
    '80',
    'job "web" has a port to register, so "consul" must be configured',
  ],
  ['consul-required', '{watches: [{name: "db", interval: 5}]}', '[{name', 'watches query Consul'],
  ['consul-required', '{telemetry: {port: 9090}}', '{port', 'telemetry registers itself in Consul'],
  ['consul-env', '{consul: "c:8500"}', '"c:8500"', 'CONSUL_HTTP_SSL_VERIFY must be one of 1, true, 0, false'],
  ['watch-name', `{${C}, watches: [{interval: 5}]}`, '{interval', 'watches[0] needs a "name"'],
  ['watch-name', `{${C}, watches: [{name: "Web_1", interval: 5}]}`, '"Web_1"', 'must match'],
  [
    'watch-name-unique',
    `{${C}, watches: [{name: "db", interval: 5}, {name: "db", key: "cfg", interval: 5}]}`,
    '"db", key',
    'already used by watches[0]',
  ],
  ['watch-interval', `{${C}, watches: [{name: "db"}]}`, '{name', 'needs "interval"'],
  [
    'watch-wait',
    `{${C}, watches: [{name: "db", key: "cfg/x", interval: 1, wait: "11m"}]}`,
    '"11m"',
    'must be at most 10m0s',
  ],
  [
    'watch-key',
    `{${C}, watches: [{name: "db", key: "cfg/x", tag: "v1", interval: 1}]}`,
    'tag',
    'applies to service watches',
  ],
  ['template-field', `{${C}, templates: [{name: "n", dest: "/x"}]}`, '{name', 'needs "source"'],
  [
    'template-name',
    `{${C}, templates: [{name: "a b", source: "s", dest: "d"}]}`,
    '"a b"',
    'may only use letters',
  ],
  [
    'template-name-unique',
    `{${C}, templates: [{name: "n", source: "s", dest: "d"}, {name: "n", source: "s", dest: "e"}]}`,
    '"n", source: "s", dest: "e"',
    'already used by templates[0]',
  ],
  [
    'file-mode',
    `{${C}, templates: [{name: "n", source: "s", dest: "d", mode: "rw-r--r--"}]}`,
    '"rw-',
    'must be an octal file mode like "0644"',
  ],
  [
    'metric-type',
    `{${C}, telemetry: {metrics: [{name: "hits", type: "meter"}]}}`,
    '"meter"',
    'must be one of "counter", "gauge", "histogram", "summary"',
  ],
  [
    'metric-name',
    `{${C}, telemetry: {metrics: [{name: "hits-total", type: "counter"}]}}`,
    '"hits-total"',
    'must match',
  ],
  [
    'metric-unique',
    `{${C}, telemetry: {metrics: [{name: "a", type: "gauge"}, {name: "a", type: "counter"}]}}`,
    '"a", type: "counter"',
    'metric "a" is defined twice',
  ],
  ['control-socket', `{control: {socket: "/${'x'.repeat(120)}"}}`, '"/xx', 'unix sockets allow at most 107'],
];

describe('config validation rules', () => {
  it.each(RULES)('%s: %j', (rule, config, marker, message) => {
    const env: Env = rule === 'consul-env' ? { CONSUL_HTTP_SSL_VERIFY: 'maybe' } : {};
    const issues = check(config, { env, hostname: rule === 'hostname' ? '' : 'host1' });
    const hit = issues.find((i) => i.rule === rule);
    expect(hit, JSON.stringify(issues, null, 1)).toBeDefined();
    expect(`${hit!.line}:${hit!.col}`).toBe(locationOf(config, marker));
    expect(hit!.message).toContain(message);
  });

  it('reports every problem in the file at once, in file order', () => {
    const config = `{
  logging: {level: "LOUD"},
  jobs: [
    {name: "a", exec: "x", restarts: "always"},
    {name: "b", exec: "y", when: {source: "nope", once: "healthy"}},
  ],
  wat: 1,
}`;
    const issues = check(config);
    expect(issues.map((i) => `${i.line}:${i.col} ${i.rule}`).sort()).toEqual([
      '2:20 log-level',
      '4:38 restarts',
      '5:43 when-source',
      '7:3 unknown-key',
    ]);
  });

  it('points YAML problems at their line and column too', () => {
    const yaml =
      'consul: consul:8500\njobs:\n  - name: web\n    exec: node server.js\n    port: 80\n    helth: {exec: "true", interval: 1, ttl: 5}\n';
    const issues = check(yaml, { file: 'cp.yaml' });
    expect(issues.map((i) => `${i.line}:${i.col} ${i.rule}`).sort()).toEqual([
      '3:5 health-required',
      '6:5 unknown-key',
    ]);
  });

  it('checks job names against the Consul pattern only when the job is advertised', () => {
    expect(check('{jobs: [{name: "preStart", exec: "x"}]}')).toEqual([]);
  });

  it('accepts health checks on jobs without a port (they only emit events)', () => {
    expect(check('{jobs: [{name: "worker", exec: "x", health: {exec: "true", interval: 5}}]}')).toEqual([]);
  });

  it('accepts a registration-only service: port and health without exec', () => {
    expect(check(`{${C}, jobs: [{name: "sidecar", port: 8080, ${HEALTH}}]}`)).toEqual([]);
  });

  it('takes Consul from CONSUL_HTTP_ADDR when the file has none', () => {
    expect(
      check(`{jobs: [{name: "web", port: 80, ${HEALTH}}]}`, { env: { CONSUL_HTTP_ADDR: 'consul:8500' } }),
    ).toEqual([]);
  });
});
