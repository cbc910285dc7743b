import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configPathFrom, loadConfig, renderConfigTemplate } from './load.ts';

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autopilot-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('loadConfig', () => {
  it('loads the hello-world nginx config (JSON5) into the normalised Config', async () => {
    const config = await loadConfig(testdata('hello-world-nginx.json5'), {
      env: { CONSUL: 'consul.svc' },
      hostname: 'nginx-1',
    });
    expect(config.consul).toEqual({ address: 'consul.svc:8500', scheme: 'http' });
    expect(config.logging).toEqual({ level: 'debug', format: 'text', output: 'stdout' });
    expect(config.jobs.map((j) => j.name)).toEqual(['preStart', 'nginx', 'onchange-hello', 'onchange-world']);
    const nginx = config.jobs[1]!;
    expect(nginx.when).toEqual({ kind: 'once', source: 'preStart', event: 'exitSuccess' });
    expect(nginx.service).toMatchObject({ id: 'nginx-nginx-1', port: 80, interfaces: ['eth1', 'eth0'] });
    expect(nginx.health).toEqual({
      kind: 'exec',
      exec: ['/usr/bin/curl', '-o', '/dev/null', '--fail', '-s', 'http://localhost/health'],
      interval: 10_000,
      ttl: 25_000,
      timeout: 10_000,
      logging: { raw: false },
    });
    expect(config.jobs[2]!.when).toEqual({ kind: 'each', source: 'watch.hello', event: 'changed' });
    expect(config.watches).toEqual([
      { name: 'hello', kind: 'service', interval: 3000, wait: 60_000 },
      { name: 'world', kind: 'service', interval: 3000, wait: 60_000 },
    ]);
  });

  it('loads the same config written as YAML into the same Config', async () => {
    const options = { env: {}, hostname: 'nginx-1' };
    const fromJson5 = await loadConfig(testdata('hello-world-nginx.json5'), options);
    const fromYaml = await loadConfig(testdata('hello-world-nginx.yaml'), options);
    expect({ ...fromYaml, path: '' }).toEqual({ ...fromJson5, path: '' });
    expect(fromYaml.consul?.address).toBe('consul:8500');
  });

  it('loads the hello service config', async () => {
    const config = await loadConfig(testdata('hello.json5'), { env: {}, hostname: 'hello-0' });
    expect(config.jobs[0]).toMatchObject({
      name: 'hello',
      service: { id: 'hello-hello-0', port: 3001 },
      health: { interval: 3000, ttl: 10_000 },
    });
  });

  it('generates jobs with range and loop before parsing, as ContainerPilot configs do', async () => {
    const path = await configFile(
      'workers.json5',
      `{
  jobs: [
{{- range $i := loop (.WORKERS | default "2") }}
    { name: "worker-{{ $i }}", exec: "work --id {{ $i }} --opts {{ $.OPTS }}" },
{{- end }}
  ],
}`,
    );
    const config = await loadConfig(path, { env: { WORKERS: '3', OPTS: 'a=b=c' } });
    expect(config.jobs.map((j) => j.exec)).toEqual(
      [0, 1, 2].map((i) => ['work', '--id', String(i), '--opts', 'a=b=c']),
    );
  });

  it('throws a ConfigError listing every problem as FILE:LINE:COL: message (rule)', async () => {
    const path = await configFile(
      'bad.json5',
      '{\n  jobs: [{name: "web", port: 80, exec: "x"}],\n  stopTimout: 5,\n}',
    );
    const err = await configError(loadConfig(path, { env: {} }));
    expect(err.message.split('\n')).toEqual([
      `${path}:2:10: job "web" has a port, so it needs "health" (its check decides its Consul status) (health-required)`,
      `${path}:2:30: job "web" has a port to register, so "consul" must be configured (or CONSUL_HTTP_ADDR set) (consul-required)`,
      `${path}:3:3: unknown key "stopTimout" in config; did you mean "stopTimeout"? (unknown-key)`,
    ]);
    expect(err.errors.map((e) => e.rule)).toEqual(['health-required', 'consul-required', 'unknown-key']);
    expect(err.errors[0]).toEqual({
      file: path,
      line: 2,
      col: 10,
      message: expect.stringContaining('needs "health"'),
      rule: 'health-required',
    });
  });

  it('reports a template error at its line and column', async () => {
    const path = await configFile('tpl.json5', '{\n  consul: "{{ .CONSUL | nosuch }}",\n}');
    const err = await configError(loadConfig(path, { env: {} }));
    expect(err.message).toBe(`${path}:2:25: function "nosuch" not defined (template)`);
  });

  it('reports a syntax error of the rendered text at its line and column', async () => {
    const path = await configFile('syntax.yaml', 'jobs:\n  - name: a\n   exec: x\n');
    const err = await configError(loadConfig(path, { env: {} }));
    expect(err.errors[0]).toMatchObject({ file: path, line: 3, rule: 'syntax' });
  });

  it('reports an unreadable file', async () => {
    const err = await configError(loadConfig(join(dir, 'missing.json5')));
    expect(err.message).toBe(`${join(dir, 'missing.json5')}:1:1: could not read config file: ENOENT (read)`);
  });
});

describe('renderConfigTemplate', () => {
  it('renders the config text for -template without parsing it', async () => {
    const path = await configFile('render.json5', '{ consul: "{{ .CONSUL }}:8500", x: "{{ .MISSING }}" }');
    expect(await renderConfigTemplate(path, { CONSUL: 'c1' })).toBe('{ consul: "c1:8500", x: "" }');
  });
});

describe('configPathFrom', () => {
  it('prefers the argument, then $CONTAINERPILOT (accepting a file:// prefix)', () => {
    expect(configPathFrom('/a.json5', { CONTAINERPILOT: '/b.json5' })).toBe('/a.json5');
    expect(configPathFrom(undefined, { CONTAINERPILOT: 'file:///etc/cp.json5' })).toBe('/etc/cp.json5');
    expect(configPathFrom('', {})).toBeUndefined();
  });
});
