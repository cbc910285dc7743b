import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricConfig, TelemetryConfig } from '../config/types.ts';
import { startControlServer } from '../control/server.ts';
import { createControlClient } from '../control/client.ts';
import { UnknownMetricError, type ControlActions } from '../control/types.ts';
import { EventBus } from '../events/bus.ts';
import { silentLogger } from '../logging/logger.ts';
import type { StatusSnapshot } from '../supervisor/types.ts';
import { Telemetry } from './telemetry.ts';

const metric = (
  type: MetricConfig['type'],
  name: string,
  namespace = 'app',
  subsystem = 'jobs',
): MetricConfig => ({
  namespace,
  subsystem,
  name,
  help: `${type} for tests`,
  type,
});

const config = (metrics: MetricConfig[] = []): TelemetryConfig => ({
  port: 0,
  interfaces: ['static:127.0.0.1'],
  tags: [],
  metrics,
});

const started: Telemetry[] = [];
async function startTelemetry(metrics: MetricConfig[] = [], bus = new EventBus()): Promise<Telemetry> {
  const telemetry = new Telemetry({ config: config(metrics), bus, logger: silentLogger() });
  started.push(telemetry);
  await telemetry.start();
  return telemetry;
}
afterEach(async () => {
  for (const telemetry of started.splice(0)) await telemetry.stop();
});

async function get(telemetry: Telemetry, urlPath: string, method = 'GET'): Promise<Response> {
  const { address, port } = telemetry.address!;
  return fetch(`http://${address}:${port}${urlPath}`, { method });
}
const scrape = async (telemetry: Telemetry): Promise<string> => (await get(telemetry, '/metrics')).text();

describe('user metrics', () => {
  it('serves every declared type, recorded through putMetric', async () => {
    const telemetry = await startTelemetry([
      metric('counter', 'runs'),
      metric('gauge', 'queue_depth'),
      metric('histogram', 'run_seconds'),
      metric('summary', 'payload_bytes'),
    ]);

    telemetry.putMetric({ app_jobs_runs: 2, app_jobs_queue_depth: 7 });
    telemetry.putMetric({ app_jobs_runs: 3, app_jobs_queue_depth: 4, app_jobs_run_seconds: 0.3 });
    telemetry.putMetric({ app_jobs_payload_bytes: 100 });

    const text = await scrape(telemetry);
    expect(text).toContain('# TYPE app_jobs_runs counter\napp_jobs_runs 5');
    expect(text).toContain(
      '# HELP app_jobs_queue_depth gauge for tests\n# TYPE app_jobs_queue_depth gauge\napp_jobs_queue_depth 4',
    );
    expect(text).toContain('app_jobs_run_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('app_jobs_run_seconds_bucket{le="0.25"} 0');
    expect(text).toContain('app_jobs_payload_bytes{quantile="0.5"} 100');
    expect(text).toContain('app_jobs_payload_bytes_count 1');
  });

  it('updates a name-only metric under its bare name (ContainerPilot #569 made it `__name`)', async () => {
    const telemetry = await startTelemetry([metric('gauge', 'free_memory', '', '')]);

    telemetry.putMetric({ free_memory: 1234 });

    const text = await scrape(telemetry);
    expect(text).toMatch(/^free_memory 1234$/m);
    expect(text).not.toContain('__free_memory');
  });

  it('rejects an undeclared name, naming the declared ones, and records nothing of that batch', async () => {
    const telemetry = await startTelemetry([metric('counter', 'runs')]);

    expect(() => telemetry.putMetric({ app_jobs_runs: 1, nope: 1 })).toThrow(UnknownMetricError);
    expect(() => telemetry.putMetric({ nope: 1 })).toThrow(
      'unknown metric "nope" (declared metrics: app_jobs_runs)',
    );

    expect(await scrape(telemetry)).toMatch(/^app_jobs_runs 0$/m);
  });

  it('refuses to make a counter go down', async () => {
    const telemetry = await startTelemetry([metric('counter', 'runs')]);
    expect(() => telemetry.putMetric({ app_jobs_runs: -1 })).toThrow(/counter and only goes up/);
  });

  it('refuses a config that declares the same full name twice', () => {
    const bus = new EventBus();
    const twice = [metric('counter', 'jobs_runs', 'app', ''), metric('gauge', 'runs', 'app', 'jobs')];
    expect(() => new Telemetry({ config: config(twice), bus, logger: silentLogger() })).toThrow(
      /"app_jobs_runs" is declared twice/,
    );
  });
});

describe('built-in series', () => {
  it('counts every event published on the bus by code and source', async () => {
    const bus = new EventBus();
    const telemetry = await startTelemetry([], bus);

    bus.publish({ code: 'startup', source: 'global' });
    bus.publish({ code: 'healthy', source: 'nginx' });
    bus.publish({ code: 'healthy', source: 'nginx' });

    const text = await scrape(telemetry);
    expect(text).toContain('containerpilot_events{code="startup",source="global"} 1');
    expect(text).toContain('containerpilot_events{code="healthy",source="nginx"} 2');
  });

  it('counts control socket requests by code and path, fed by the control server', async () => {
    const telemetry = await startTelemetry();
    const dir = await mkdtemp(path.join(tmpdir(), 'autopilot-telemetry-'));
    const socket = path.join(dir, 'cp.socket');
    const actions: ControlActions = {
      reload: async () => {},
      setMaintenance: async () => {},
      putEnv: () => {},
      putMetric: (values) => telemetry.putMetric(values),
    };
    const control = await startControlServer({
      socket,
      actions,
      logger: silentLogger(),
      onRequest: (p, code) => telemetry.recordControlRequest(p, code),
    });
    try {
      const client = createControlClient(socket);
      await client.ping();
      await client.ping();
      await expect(client.putMetric({ undeclared: 1 })).rejects.toThrow(/unknown metric/);
    } finally {
      await control.close();
      await rm(dir, { recursive: true, force: true });
    }

    const text = await scrape(telemetry);
    expect(text).toContain('containerpilot_control_http_requests{path="/v3/ping",code="200"} 2');
    expect(text).toContain('containerpilot_control_http_requests{path="/v3/metric",code="400"} 1');
  });

  it('reports instances per watched service', async () => {
    const telemetry = await startTelemetry();
    telemetry.setWatchInstances('hello', 3);
    telemetry.setWatchInstances('hello', 2);
    expect(await scrape(telemetry)).toContain('containerpilot_watch_instances{service="hello"} 2');
  });

  it('includes the process metrics alongside its own series', async () => {
    const telemetry = await startTelemetry();
    const text = await scrape(telemetry);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('keeps each App its own series: two in one process (or a reload) never collide', async () => {
    const first = await startTelemetry([metric('gauge', 'depth')]);
    const second = await startTelemetry([metric('gauge', 'depth')]);

    first.putMetric({ app_jobs_depth: 1 });
    second.putMetric({ app_jobs_depth: 2 });

    expect(await scrape(first)).toMatch(/^app_jobs_depth 1$/m);
    expect(await scrape(second)).toMatch(/^app_jobs_depth 2$/m);
  });
});

describe('/status', () => {
  it("answers ContainerPilot's shape built from the App's snapshot, with autopilot's detail", async () => {
    const telemetry = await startTelemetry();
    const snapshot: StatusSnapshot = {
      version: '9.9.9',
      maintenance: false,
      jobs: [
        {
          name: 'nginx',
          state: 'healthy',
          restarts: 0,
          serviceId: 'nginx-host',
          address: '10.0.0.5',
          port: 80,
        },
        { name: 'preStart', state: 'completed', restarts: 0 },
        { name: 'sensor', state: 'idle', restarts: 0 },
      ],
      watches: [{ name: 'hello', kind: 'service', instances: 2 }],
    };
    telemetry.setStatusProvider(() => snapshot);

    const response = await get(telemetry, '/status');

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      Version: '9.9.9',
      Jobs: [
        { Name: 'preStart', Status: 'completed' },
        { Name: 'sensor', Status: 'unknown' },
      ],
      Services: [{ Name: 'nginx', Address: '10.0.0.5', Port: 80, Status: 'healthy' }],
      Watches: ['hello'],
      Maintenance: false,
      Detail: { jobs: snapshot.jobs, watches: snapshot.watches },
    });
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const telemetry = await startTelemetry();
    expect((await get(telemetry, '/nothing')).status).toBe(404);
    expect((await get(telemetry, '/metrics', 'POST')).status).toBe(405);
  });
});

describe('without a telemetry config', () => {
  it('serves nothing, and every putMetric name is unknown', async () => {
    const telemetry = new Telemetry({ bus: new EventBus(), logger: silentLogger() });
    await telemetry.start();

    expect(telemetry.address).toBeUndefined();
    expect(() => telemetry.putMetric({ anything: 1 })).toThrow(
      'unknown metric "anything" (no metrics are declared)',
    );
    await telemetry.stop();
  });
});
