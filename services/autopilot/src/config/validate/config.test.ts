import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../parse.ts';
import type { Config } from '../types.ts';
import { validateConfig } from './config.ts';

function valid(text: string, { env = {} as Record<string, string>, file = 'cp.json5' } = {}): Config {
  const parsed = parseConfigText(text, file);
  const { config, issues } = validateConfig(parsed.config!, {
    env,
    hostname: 'pod-7',
    path: `/etc/app/${file}`,
    configDir: '/etc/app',
  });
  expect([...parsed.issues, ...issues]).toEqual([]);
  return config!;
}

const CONSUL = 'consul: "consul:8500"';

describe('normalised config', () => {
  it('fills ContainerPilot defaults for an empty file', () => {
    expect(valid('{}')).toEqual({
      path: '/etc/app/cp.json5',
      logging: { level: 'info', format: 'default', output: 'stdout' },
      jobs: [],
      watches: [],
      templates: [],
      control: { socket: '/var/run/containerpilot.socket' },
      stopTimeout: 5000,
    });
  });

  it('gives a plain job its defaults: once at global startup, never restarted, SIGTERM, 5s stop timeout', () => {
    const [job] = valid('{jobs: [{name: "setup", exec: "/bin/setup.sh --fast  now"}]}').jobs;
    expect(job).toEqual({
      name: 'setup',
      exec: ['/bin/setup.sh', '--fast', 'now'],
      when: { kind: 'once', source: 'global', event: 'startup' },
      restarts: { kind: 'never' },
      stopTimeout: 5000,
      stopSignal: 'SIGTERM',
      drainDelay: 0,
      logging: { raw: false },
    });
  });

  it('builds the Consul service of an advertised job, its ID from name and hostname', () => {
    const config = valid(`{${CONSUL}, jobs: [{
      name: "web", exec: ["node", "server.js", 8080], port: "8080", interfaces: "env:POD_IP", tags: ["v1", "prod"],
      initial_status: "warning", meta: {version: "1.2", build: 7},
      consul: {enableTagOverride: true, deregisterCriticalServiceAfter: "10m"},
      health: {http: "http://127.0.0.1:8080/health", expectStatus: 204, interval: "5s", ttl: 15, timeout: "2s"},
      stopSignal: "quit", drainDelay: "1.5s", logging: {raw: true},
    }]}`);
    expect(config.jobs[0]).toMatchObject({
      exec: ['node', 'server.js', '8080'],
      service: {
        id: 'web-pod-7',
        name: 'web',
        port: 8080,
        interfaces: ['env:POD_IP'],
        tags: ['v1', 'prod'],
        meta: { version: '1.2', build: '7' },
        initialStatus: 'warning',
        enableTagOverride: true,
        deregisterCriticalServiceAfter: '10m',
      },
      health: {
        kind: 'http',
        url: 'http://127.0.0.1:8080/health',
        expectStatus: 204,
        interval: 5000,
        ttl: 15000,
        timeout: 2000,
      },
      stopSignal: 'SIGQUIT',
      drainDelay: 1500,
      logging: { raw: true },
    });
  });

  it('defaults interfaces to eth0:inet then inet, and the health timeout to its interval', () => {
    const [job] = valid(
      `{${CONSUL}, jobs: [{name: "db", port: 5432, health: {tcp: "127.0.0.1:5432", interval: 3, ttl: 10}}]}`,
    ).jobs;
    expect(job!.service!.interfaces).toEqual(['eth0:inet', 'inet']);
    expect(job!.health).toEqual({
      kind: 'tcp',
      address: '127.0.0.1:5432',
      interval: 3000,
      ttl: 10000,
      timeout: 3000,
    });
    expect(job!.exec).toBeUndefined();
  });

  it('takes a tcp health check on a link-local IPv6 address with its zone', () => {
    const [job] = valid(
      `{${CONSUL}, jobs: [{name: "db", port: 5432, health: {tcp: "[fe80::1%eth0]:5432", interval: 3, ttl: 10}}]}`,
    ).jobs;
    expect(job!.health).toMatchObject({ kind: 'tcp', address: '[fe80::1%eth0]:5432' });
  });

  it('gives interval jobs a timeout of one interval and unlimited restarts', () => {
    const [job] = valid('{jobs: [{name: "backup", exec: "backup.sh", when: {interval: "1m30s"}}]}').jobs;
    expect(job).toMatchObject({
      when: { kind: 'interval', interval: 90_000 },
      timeout: 90_000,
      restarts: { kind: 'unlimited' },
    });
  });

  it('reads restarts as a count, also from a numeric string', () => {
    const jobs = valid(
      '{jobs: [{name: "a", exec: "x", restarts: 3}, {name: "b", exec: "x", restarts: "2"}, {name: "c", exec: "x", restarts: "unlimited"}]}',
    ).jobs;
    expect(jobs.map((j) => j.restarts)).toEqual([
      { kind: 'count', count: 3 },
      { kind: 'count', count: 2 },
      { kind: 'unlimited' },
    ]);
  });

  it('reads when clauses: once/each with timeout, signal sources, and global events without a source', () => {
    const jobs = valid(`{jobs: [
      {name: "app", exec: "app"},
      {name: "after", exec: "x", when: {source: "app", once: "healthy", timeout: "60s"}},
      {name: "each", exec: "x", when: {source: "app", each: "exitFailed"}},
      {name: "hup", exec: "x", when: {source: "SIGHUP"}},
      {name: "usr2", exec: "x", when: {source: "SIGUSR2", once: "signal"}},
      {name: "bye", exec: "x", when: {once: "shutdown"}},
    ]}`).jobs;
    expect(jobs.slice(1).map((j) => j.when)).toEqual([
      { kind: 'once', source: 'app', event: 'healthy', timeout: 60_000 },
      { kind: 'each', source: 'app', event: 'exitFailed' },
      { kind: 'each', source: 'SIGHUP', event: 'signal' },
      { kind: 'once', source: 'SIGUSR2', event: 'signal' },
      { kind: 'once', source: 'global', event: 'shutdown' },
    ]);
  });

  it('maps logrus levels onto pino, case-insensitively, PANIC to fatal', () => {
    const level = (l: string) => valid(`{logging: {level: "${l}"}}`).logging.level;
    expect(['DEBUG', 'info', 'Warn', 'ERROR', 'FATAL', 'PANIC'].map(level)).toEqual([
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'fatal',
    ]);
  });

  it('keeps stdout/stderr outputs and resolves a log file path', () => {
    expect(valid('{logging: {output: "STDERR", format: "JSON"}}').logging).toEqual({
      level: 'info',
      format: 'json',
      output: 'stderr',
    });
    expect(valid('{logging: {output: "/var/log/cp.log"}}').logging.output).toBe('/var/log/cp.log');
  });

  it('reads top-level stopTimeout as seconds, 0 meaning the default as in ContainerPilot', () => {
    expect(valid('{stopTimeout: 12}').stopTimeout).toBe(12_000);
    expect(valid('{stopTimeout: "500ms"}').stopTimeout).toBe(500);
    expect(valid('{stopTimeout: 0}').stopTimeout).toBe(5000);
  });

  it('reads service watches and KV key watches with their defaults', () => {
    const { watches } = valid(
      `{${CONSUL}, watches: [{name: "hello", interval: 3, tag: "v1", dc: "dc2"}, {name: "flags", key: "/app/flags", interval: "500ms", wait: "30s"}]}`,
    );
    expect(watches).toEqual([
      { name: 'hello', kind: 'service', interval: 3000, wait: 60_000, tag: 'v1', dc: 'dc2' },
      { name: 'flags', kind: 'key', key: 'app/flags', interval: 500, wait: 30_000 },
    ]);
  });

  it('reads templates: paths resolved from the config directory, octal modes, onChange as a command', () => {
    const { templates } = valid(`{${CONSUL}, templates: [
      {name: "nginx", source: "nginx.conf.ctmpl", dest: "/etc/nginx/nginx.conf", onChange: "nginx -s reload"},
      {name: "a", source: "/t/a", dest: "out/a", mode: "0600"},
      {name: "b", source: "/t/b", dest: "/b", mode: 755},
      {name: "c", source: "/t/c", dest: "/c", mode: "0o640"},
    ]}`);
    expect(templates[0]).toEqual({
      name: 'nginx',
      source: '/etc/app/nginx.conf.ctmpl',
      dest: '/etc/nginx/nginx.conf',
      mode: 0o644,
      onChange: ['nginx', '-s', 'reload'],
    });
    expect(templates.slice(1).map((t) => [t.dest, t.mode])).toEqual([
      ['/etc/app/out/a', 0o600],
      ['/b', 0o755],
      ['/c', 0o640],
    ]);
  });

  it('reads a YAML 0o640 file mode as octal', () => {
    const { templates } = valid(
      `${CONSUL.replace('"', '').replace('"', '')}\ntemplates:\n  - {name: c, source: /t/c, dest: /c, mode: 0o640}\n`,
      { file: 'cp.yml' },
    );
    expect(templates[0]!.mode).toBe(0o640);
  });

  it('reads telemetry with defaults, and metrics that have only a name', () => {
    const { telemetry } = valid(`{${CONSUL}, telemetry: {metrics: [
      {name: "requests", type: "counter"},
      {namespace: "app", subsystem: "db", name: "latency_seconds", type: "histogram", help: "query latency"},
    ]}}`);
    expect(telemetry).toEqual({
      port: 9090,
      interfaces: ['eth0:inet', 'inet'],
      tags: [],
      metrics: [
        { namespace: '', subsystem: '', name: 'requests', help: 'requests', type: 'counter' },
        {
          namespace: 'app',
          subsystem: 'db',
          name: 'latency_seconds',
          help: 'query latency',
          type: 'histogram',
        },
      ],
    });
  });

  it('lets jobs wait on the telemetry service and on templates', () => {
    const { jobs } =
      valid(`{${CONSUL}, telemetry: {}, templates: [{name: "conf", source: "s", dest: "d"}], jobs: [
      {name: "a", exec: "x", when: {source: "containerpilot", once: "healthy"}},
      {name: "b", exec: "x", when: {source: "template.conf", each: "changed"}},
    ]}`);
    expect(jobs.map((j) => j.when.kind !== 'interval' && j.when.source)).toEqual([
      'containerpilot',
      'template.conf',
    ]);
  });

  it('takes the default control socket from CONTAINERPILOT_SOCKET, below the file', () => {
    const env = { CONTAINERPILOT_SOCKET: '/run/ap/hello-1.sock' };
    expect(valid('{}', { env }).control).toEqual({ socket: '/run/ap/hello-1.sock' });
    expect(valid('{control: {socket: "/tmp/cp.sock"}}', { env }).control).toEqual({ socket: '/tmp/cp.sock' });
  });

  it('uses a custom control socket', () => {
    expect(valid('{control: {socket: "/tmp/cp.sock"}}').control).toEqual({ socket: '/tmp/cp.sock' });
  });
});
