// A service's life in a real Consul agent: registration, heartbeats, failures, maintenance, and the
// agent forgetting everything (ContainerPilot #577).
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ServiceConfig } from '../config/types.ts';
import { silentLogger } from '../logging/logger.ts';
import { useConsulAgent, type ConsulAgent } from '../../../../test/support/consul.ts';
import { createConsulClient, ConsulError, type AgentService } from './consul-client.ts';
import { ConsulServiceRegistration } from './registration.ts';

const consul = useConsulAgent();
const clients: Array<{ close(): void }> = [];
afterAll(() => clients.forEach((c) => c.close()));

function serviceConfig(name: string, extra: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    id: `${name}-testhost`,
    name,
    port: 3001,
    interfaces: ['static:10.1.2.3'],
    tags: [],
    meta: {},
    enableTagOverride: false,
    ...extra,
  };
}

function registrationFor(service: ServiceConfig, ttl = 10_000, resolveAddress?: () => string) {
  const client = createConsulClient(consul().config());
  clients.push(client);
  return new ConsulServiceRegistration(service, ttl, { client, logger: silentLogger(), resolveAddress });
}

async function checkStatus(agent: ConsulAgent, service: ServiceConfig): Promise<string | undefined> {
  const { body } = await agent.api<Array<{ CheckID: string; Status: string }>>(
    'GET',
    `/v1/health/checks/${service.name}`,
  );
  return body.find((c) => c.CheckID === `service:${service.id}`)?.Status;
}

async function passingIds(agent: ConsulAgent, name: string): Promise<string[]> {
  const { body } = await agent.api<Array<{ Service: { ID: string } }>>(
    'GET',
    `/v1/health/service/${name}?passing=true`,
  );
  return body.map((e) => e.Service.ID);
}

const eventually = (assertion: () => Promise<void>) =>
  vi.waitFor(assertion, { timeout: 15_000, interval: 100 });

describe('service registration in a real Consul agent', () => {
  it('registers on the first pass and shows the instance as passing', async () => {
    const service = serviceConfig('reg-first-pass');
    const registration = registrationFor(service);
    expect(registration.registered).toBe(false);
    await registration.pass('curl ok');
    expect(registration.registered).toBe(true);
    expect(await passingIds(consul(), service.name)).toEqual([service.id]);
    const checks = await consul().api<Record<string, { Output: string }>>('GET', '/v1/agent/checks');
    expect(checks.body[`service:${service.id}`]?.Output).toBe('curl ok');
  });

  it('goes critical when the heartbeats stop for longer than the TTL', async () => {
    const service = serviceConfig('reg-ttl-expiry');
    const registration = registrationFor(service, 1000);
    await registration.pass('ok');
    expect(await checkStatus(consul(), service)).toBe('passing');
    await eventually(async () => expect(await checkStatus(consul(), service)).toBe('critical'));
  });

  it('goes critical at once on a failed check', async () => {
    const service = serviceConfig('reg-fail');
    const registration = registrationFor(service, 60_000);
    await registration.pass('ok');
    await registration.fail('exit code 7: connection refused');
    expect(await checkStatus(consul(), service)).toBe('critical');
    expect(await passingIds(consul(), service.name)).toEqual([]);
  });

  it('does not register a service whose first check fails', async () => {
    const service = serviceConfig('reg-fail-first');
    await registrationFor(service).fail('not yet');
    const { status } = await consul().api('GET', `/v1/agent/service/${service.id}`);
    expect(status).toBe(404);
  });

  it('registers at once with initial_status, before any check ran', async () => {
    const warning = serviceConfig('reg-initial-warning', { initialStatus: 'warning' });
    const passing = serviceConfig('reg-initial-passing', { initialStatus: 'passing' });
    await registrationFor(warning).registerInitial();
    await registrationFor(passing).registerInitial();
    expect(await checkStatus(consul(), warning)).toBe('warning');
    expect(await passingIds(consul(), passing.name)).toEqual([passing.id]);
  });

  it('passes address, port, tags, meta and tag override to the agent', async () => {
    const service = serviceConfig('reg-details', {
      port: 8080,
      tags: ['blue', 'v2'],
      meta: { version: '2.1.0', 'managed-by': 'autopilot' },
      enableTagOverride: true,
    });
    await registrationFor(service).pass('ok');
    const { body } = await consul().api<AgentService>('GET', `/v1/agent/service/${service.id}`);
    expect(body).toMatchObject({
      ID: service.id,
      Service: service.name,
      Address: '10.1.2.3',
      Port: 8080,
      Tags: ['blue', 'v2'],
      Meta: { version: '2.1.0', 'managed-by': 'autopilot' },
      EnableTagOverride: true,
    });
  });

  it('hands deregisterCriticalServiceAfter to the agent, which validates it', async () => {
    // The agent does not report it back, and its reaper needs minutes; a malformed value being
    // refused proves it reached the agent.
    await registrationFor(serviceConfig('reg-reap-ok', { deregisterCriticalServiceAfter: '10m' })).pass('ok');
    const refused = await registrationFor(
      serviceConfig('reg-reap-bad', { deregisterCriticalServiceAfter: 'soon' }),
    )
      .pass('ok')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConsulError);
    expect((refused as ConsulError).status).toBe(400);
    expect((refused as ConsulError).message).toMatch(/soon/);
  });

  it('re-resolves the address whenever it registers again', async () => {
    const service = serviceConfig('reg-moving');
    let address = '10.0.0.1';
    const registration = registrationFor(service, 10_000, () => address);
    await registration.pass('ok');
    await consul().api('PUT', `/v1/agent/service/deregister/${service.id}`);
    address = '10.0.0.2'; // the pod came back with a new IP
    await registration.pass('ok');
    const { body } = await consul().api<AgentService>('GET', `/v1/agent/service/${service.id}`);
    expect(body.Address).toBe('10.0.0.2');
    expect(registration.address).toBe('10.0.0.2');
  });

  it('takes the instance out of the passing set during maintenance and puts it back after', async () => {
    const service = serviceConfig('reg-maintenance');
    const registration = registrationFor(service);
    await registration.pass('ok');
    await registration.setMaintenance(true);
    expect(await passingIds(consul(), service.name)).toEqual([]);
    await registration.setMaintenance(false);
    expect(await passingIds(consul(), service.name)).toEqual([service.id]);
  });

  it('registers the service again when it vanished during maintenance', async () => {
    const service = serviceConfig('reg-maintenance-lost');
    const registration = registrationFor(service);
    await registration.pass('ok');
    await registration.setMaintenance(true);
    await consul().api('PUT', `/v1/agent/service/deregister/${service.id}`);
    await registration.setMaintenance(false);
    expect((await consul().api('GET', `/v1/agent/service/${service.id}`)).status).toBe(200);
    await registration.pass('ok');
    expect(await passingIds(consul(), service.name)).toEqual([service.id]);
  });

  it('deregisters, and tolerates deregistering twice', async () => {
    const service = serviceConfig('reg-deregister');
    const registration = registrationFor(service);
    await registration.pass('ok');
    await registration.deregister();
    await registration.deregister();
    expect(registration.registered).toBe(false);
    expect((await consul().api('GET', `/v1/agent/service/${service.id}`)).status).toBe(404);
  });

  it('keeps concurrent calls in order: a heartbeat sent before deregistering cannot resurrect the service', async () => {
    const service = serviceConfig('reg-ordering');
    const registration = registrationFor(service);
    await Promise.all([registration.pass('1'), registration.pass('2'), registration.deregister()]);
    expect((await consul().api('GET', `/v1/agent/service/${service.id}`)).status).toBe(404);
  });

  // Last: it replaces the agent under everyone.
  it('registers again on the next heartbeat after the agent restarted with an empty state', async () => {
    const service = serviceConfig('reg-agent-restart', { tags: ['blue'] });
    const registration = registrationFor(service);
    await registration.pass('ok');
    await consul().restartEmpty();
    expect((await consul().api('GET', `/v1/agent/service/${service.id}`)).status).toBe(404);
    await registration.pass('ok after restart');
    expect(await passingIds(consul(), service.name)).toEqual([service.id]);
    const { body } = await consul().api<AgentService>('GET', `/v1/agent/service/${service.id}`);
    expect(body.Tags).toEqual(['blue']);
  });
});

describe('a Consul agent with ACLs', () => {
  const token = '4f6b1c2e-9d3a-4c8e-b7a1-2e5f8d9c0a11';
  const secured = useConsulAgent({ aclToken: token });

  it('registers with the configured token, and an anonymous client is refused with a clear error', async () => {
    const service = serviceConfig('reg-acl');
    const withToken = createConsulClient(secured().config());
    const anonymous = createConsulClient(secured().config(''));
    clients.push(withToken, anonymous);
    const registration = new ConsulServiceRegistration(service, 10_000, {
      client: withToken,
      logger: silentLogger(),
    });
    await registration.pass('ok');
    const { body } = await secured().api<Array<{ Service: { ID: string } }>>(
      'GET',
      `/v1/health/service/${service.name}`,
    );
    expect(body.map((e) => e.Service.ID)).toEqual([service.id]);

    const refused = await new ConsulServiceRegistration(serviceConfig('reg-acl-anon'), 10_000, {
      client: anonymous,
      logger: silentLogger(),
    })
      .pass('ok')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConsulError);
    expect((refused as ConsulError).status).toBe(403);
    expect((refused as ConsulError).message).toMatch(
      /^consul: register service reg-acl-anon-testhost: HTTP 403/,
    );
    expect((refused as ConsulError).message).not.toContain(token);
  });
});
