import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceConfig } from '../config/types.ts';
import type { Discovery, ServiceRegistration } from '../discovery/types.ts';
import { EventBus } from '../events/bus.ts';
import { silentLogger } from '../logging/logger.ts';
import { AUTOPILOT_VERSION } from '../version.ts';
import { Telemetry } from './telemetry.ts';

class RecordingDiscovery implements Discovery {
  readonly calls: string[] = [];
  service: ServiceConfig | undefined;
  ttl: number | undefined;
  failPasses = 0;

  registration(service: ServiceConfig, ttlMillis: number): ServiceRegistration {
    this.service = service;
    this.ttl = ttlMillis;
    const calls = this.calls;
    const failNextPass = (): boolean => this.failPasses-- > 0;
    return {
      serviceId: service.id,
      registered: false,
      async pass() {
        calls.push('pass');
        if (failNextPass()) throw new Error('agent unreachable');
      },
      async fail() {
        calls.push('fail');
      },
      async registerInitial() {
        calls.push('registerInitial');
      },
      async setMaintenance(enabled) {
        calls.push(`maintenance:${enabled}`);
      },
      async deregister() {
        calls.push('deregister');
      },
    };
  }
}

afterEach(() => {
  vi.useRealTimers();
});

function telemetryWith(discovery: Discovery): Telemetry {
  return new Telemetry({
    config: { port: 0, interfaces: ['static:127.0.0.1'], tags: ['metrics'], metrics: [] },
    bus: new EventBus(),
    logger: silentLogger(),
    discovery,
    hostname: 'pod-7',
  });
}

describe('telemetry self-registration', () => {
  it("advertises the endpoint as service `containerpilot` with ContainerPilot's 15 s TTL", async () => {
    const discovery = new RecordingDiscovery();
    const telemetry = telemetryWith(discovery);

    await telemetry.start();
    const port = telemetry.address!.port;
    await telemetry.stop();

    expect(discovery.ttl).toBe(15_000);
    expect(discovery.service).toEqual({
      id: 'containerpilot-pod-7',
      name: 'containerpilot',
      port,
      interfaces: ['static:127.0.0.1'],
      tags: ['metrics', AUTOPILOT_VERSION],
      meta: {},
      enableTagOverride: false,
    });
    expect(discovery.calls).toEqual(['pass', 'deregister']);
  });

  it('heartbeats every 5 s, and keeps trying after a failed heartbeat', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const discovery = new RecordingDiscovery();
    discovery.failPasses = 1;
    const telemetry = telemetryWith(discovery);
    await telemetry.start();

    await vi.advanceTimersByTimeAsync(4_999);
    expect(discovery.calls).toEqual(['pass']);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(discovery.calls).toEqual(['pass', 'pass', 'pass']);

    await telemetry.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(discovery.calls).toEqual(['pass', 'pass', 'pass', 'deregister']);
  });
});
