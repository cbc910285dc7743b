import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../config/types.ts';
import { silentLogger } from '../logging/logger.ts';
import { ConsulError, type ConsulClient, type ServiceDefinition } from './consul-client.ts';
import { ConsulServiceRegistration, MAINTENANCE_REASON } from './registration.ts';

const service: ServiceConfig = {
  id: 'app-host1',
  name: 'app',
  port: 8080,
  interfaces: ['static:10.0.0.5'],
  tags: ['blue'],
  meta: { version: '1' },
  enableTagOverride: false,
};

/** An agent that forgets on command, recording what it is asked. */
function fakeAgent() {
  const calls: string[] = [];
  const services = new Map<string, ServiceDefinition>();
  let outage: Error | undefined;
  const guard = () => {
    if (outage) throw outage;
  };
  const client: Partial<ConsulClient> = {
    registerService: async (definition) => {
      guard();
      calls.push(`register ${definition.Check.Status} ${definition.Address}`);
      services.set(definition.ID, definition);
    },
    updateTtl: async (checkId, status, note) => {
      guard();
      calls.push(`${status} ${note}`);
      if (!services.has(checkId.replace(/^service:/, ''))) throw new ConsulError('unknown check', 404);
    },
    serviceMaintenance: async (id, enable, reason) => {
      guard();
      calls.push(`maintenance ${enable} ${reason}`);
      if (!services.has(id)) throw new ConsulError('unknown service', 404);
    },
    agentService: async (id) => (services.has(id) ? ({ ID: id } as never) : undefined),
    deregisterService: async (id) => {
      guard();
      calls.push('deregister');
      if (!services.delete(id)) throw new ConsulError('unknown service', 404);
    },
  };
  return {
    calls,
    forget: () => services.clear(),
    setOutage: (error: Error | undefined) => (outage = error),
    registration: (config: ServiceConfig = service, address = () => '10.0.0.5') =>
      new ConsulServiceRegistration(config, 10_000, {
        client: client as ConsulClient,
        logger: silentLogger(),
        resolveAddress: address,
      }),
  };
}

describe('ConsulServiceRegistration', () => {
  it('registers passing on the first pass, then only heartbeats', async () => {
    const agent = fakeAgent();
    const registration = agent.registration();
    await registration.pass('ok');
    await registration.pass('ok again');
    expect(agent.calls).toEqual(['register passing 10.0.0.5', 'passing ok', 'passing ok again']);
  });

  it('registers again and heartbeats when the agent forgot the service', async () => {
    const agent = fakeAgent();
    const registration = agent.registration();
    await registration.pass('ok');
    agent.forget();
    await registration.pass('still ok');
    expect(agent.calls.slice(2)).toEqual([
      'passing still ok',
      'register passing 10.0.0.5',
      'passing still ok',
    ]);
  });

  it('keeps the service in maintenance when it has to register it again', async () => {
    const agent = fakeAgent();
    const registration = agent.registration();
    await registration.pass('ok');
    await registration.setMaintenance(true);
    agent.forget();
    await registration.pass('ok');
    expect(agent.calls.slice(-3)).toEqual([
      'register passing 10.0.0.5',
      `maintenance true ${MAINTENANCE_REASON}`,
      'passing ok',
    ]);
  });

  it('does not register on leaving maintenance a service that never registered', async () => {
    const agent = fakeAgent();
    const registration = agent.registration();
    await registration.setMaintenance(true);
    await registration.setMaintenance(false);
    expect(agent.calls).toEqual([]);
  });

  it('leaves a deregistered service out, even when maintenance ends afterwards', async () => {
    const agent = fakeAgent();
    const registration = agent.registration();
    await registration.pass('ok');
    await registration.setMaintenance(true);
    await registration.deregister();
    await registration.setMaintenance(false);
    expect(agent.calls.at(-1)).toBe('deregister');
    expect(registration.registered).toBe(false);
  });

  it('registers with initial_status only when configured', async () => {
    const agent = fakeAgent();
    await agent.registration().registerInitial();
    await agent.registration({ ...service, initialStatus: 'warning' }).registerInitial();
    expect(agent.calls).toEqual(['register warning 10.0.0.5']);
  });

  it('reports a Consul outage to the caller and carries on with the next call', async () => {
    const agent = fakeAgent();
    const registration = agent.registration();
    agent.setOutage(new ConsulError('consul: connect ECONNREFUSED'));
    await expect(registration.pass('ok')).rejects.toThrow(/ECONNREFUSED/);
    agent.setOutage(undefined);
    await registration.pass('ok');
    expect(agent.calls).toEqual(['register passing 10.0.0.5', 'passing ok']);
  });

  it('fails a registration whose address cannot be resolved, naming the specs', async () => {
    const agent = fakeAgent();
    const registration = new ConsulServiceRegistration({ ...service, interfaces: ['no-such-nic0'] }, 10_000, {
      client: {} as ConsulClient,
      logger: silentLogger(),
    });
    await expect(registration.pass('ok')).rejects.toThrow(/none of \[no-such-nic0\] matched/);
    expect(agent.calls).toEqual([]);
  });

  it('refuses a TTL under a second', () => {
    expect(
      () =>
        new ConsulServiceRegistration(service, 500, { client: {} as ConsulClient, logger: silentLogger() }),
    ).toThrow(/ttl must be at least 1s/);
  });
});
