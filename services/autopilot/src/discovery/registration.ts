// One job's service in the Consul agent: registration with a TTL check, heartbeats, maintenance,
// deregistration. Improves on ContainerPilot 3.8 in two ways: when the agent forgets the service
// (restarted with an empty state, or someone deregistered it) the next heartbeat re-registers it
// instead of failing forever (#577), and every (re)registration resolves the address afresh (#264).
// Operations run one at a time, in call order, so a heartbeat can never overtake a deregistration.
import type { ConsulConfig, ServiceConfig } from '../config/types.ts';
import type { Logger } from '../logging/logger.ts';
import { resolveAddress as resolveFromInterfaces } from './address.ts';
import {
  ConsulError,
  createConsulClient,
  type ConsulClient,
  type ServiceDefinition,
} from './consul-client.ts';
import type { CheckStatus, Discovery, ServiceRegistration } from './types.ts';

export const MAINTENANCE_REASON = 'autopilot maintenance mode';

export interface RegistrationDeps {
  client: ConsulClient;
  logger: Logger;
  /** Called at every (re)registration; defaults to the service's `interfaces` on this machine. */
  resolveAddress?: () => string;
}

/** The agent answered that it does not know the service or its check. */
const isUnknownToAgent = (error: unknown): boolean => error instanceof ConsulError && error.status === 404;

export class ConsulServiceRegistration implements ServiceRegistration {
  readonly serviceId: string;
  readonly checkId: string;
  private readonly service: ServiceConfig;
  private readonly ttlMillis: number;
  private readonly client: ConsulClient;
  private readonly log: Logger;
  private readonly resolveAddress: () => string;
  private queue: Promise<unknown> = Promise.resolve();
  /** What we believe the agent holds. */
  private inAgent = false;
  /** Whether the service should be in the agent: registered once and not deregistered since. */
  private wanted = false;
  private maintenance = false;
  private lastAddress: string | undefined;

  constructor(service: ServiceConfig, ttlMillis: number, deps: RegistrationDeps) {
    if (!(ttlMillis >= 1000)) throw new Error(`service ${service.name}: health ttl must be at least 1s`);
    this.service = service;
    this.ttlMillis = ttlMillis;
    this.serviceId = service.id;
    this.checkId = `service:${service.id}`;
    this.client = deps.client;
    this.log = deps.logger.child({ service: service.name, serviceId: service.id });
    this.resolveAddress = deps.resolveAddress ?? (() => resolveFromInterfaces(service.interfaces));
  }

  get registered(): boolean {
    return this.inAgent;
  }

  /** The address of the latest registration. */
  get address(): string | undefined {
    return this.lastAddress;
  }

  pass(note: string): Promise<void> {
    return this.serialize(async () => {
      if (!this.inAgent) await this.register('passing');
      try {
        await this.client.updateTtl(this.checkId, 'passing', note);
      } catch (error) {
        if (!isUnknownToAgent(error)) throw error;
        this.log.warn('the Consul agent no longer knows this service; registering it again');
        this.inAgent = false;
        await this.register('passing');
        await this.client.updateTtl(this.checkId, 'passing', note);
      }
    });
  }

  fail(note: string): Promise<void> {
    return this.serialize(async () => {
      // Never registered: nothing in Consul to mark (the first pass registers it).
      if (!this.inAgent) return;
      try {
        await this.client.updateTtl(this.checkId, 'critical', note);
      } catch (error) {
        if (!isUnknownToAgent(error)) throw error;
        // Gone from the agent is as unroutable as critical; the next pass registers it again.
        this.inAgent = false;
      }
    });
  }

  registerInitial(): Promise<void> {
    return this.serialize(async () => {
      if (this.service.initialStatus && !this.inAgent) await this.register(this.service.initialStatus);
    });
  }

  setMaintenance(enabled: boolean): Promise<void> {
    return this.serialize(async () => {
      this.maintenance = enabled;
      if (this.inAgent) {
        try {
          await this.client.serviceMaintenance(this.serviceId, enabled, MAINTENANCE_REASON);
        } catch (error) {
          if (!isUnknownToAgent(error)) throw error;
          this.inAgent = false;
        }
      }
      if (enabled || !this.wanted) return;
      // Leaving maintenance: the agent may have lost the service meanwhile (ContainerPilot #577).
      if (this.inAgent && (await this.client.agentService(this.serviceId)) === undefined)
        this.inAgent = false;
      if (!this.inAgent) {
        this.log.info('service missing from the Consul agent after maintenance; registering it again');
        // Health is unknown until the next check runs.
        await this.register(this.service.initialStatus ?? 'critical');
      }
    });
  }

  deregister(): Promise<void> {
    return this.serialize(async () => {
      this.wanted = false;
      this.inAgent = false;
      try {
        await this.client.deregisterService(this.serviceId);
        this.log.info('deregistered service');
      } catch (error) {
        if (!isUnknownToAgent(error)) throw error;
      }
    });
  }

  private async register(status: CheckStatus): Promise<void> {
    const address = this.resolveAddress();
    await this.client.registerService(this.definition(address, status));
    this.inAgent = true;
    this.wanted = true;
    if (address !== this.lastAddress && this.lastAddress !== undefined) {
      this.log.info({ from: this.lastAddress, to: address }, 'service address changed');
    }
    this.lastAddress = address;
    this.log.info({ address, port: this.service.port, status }, 'registered service');
    // A fresh registration carries no maintenance flag; keep the one we were asked for.
    if (this.maintenance) await this.client.serviceMaintenance(this.serviceId, true, MAINTENANCE_REASON);
  }

  private definition(address: string, status: CheckStatus): ServiceDefinition {
    const s = this.service;
    return {
      ID: s.id,
      Name: s.name,
      Address: address,
      Port: s.port,
      Tags: s.tags,
      Meta: s.meta,
      EnableTagOverride: s.enableTagOverride,
      Check: {
        CheckID: this.checkId,
        Name: this.checkId,
        TTL: `${Math.round(this.ttlMillis)}ms`,
        Status: status,
        Notes: `TTL for ${s.name} set by autopilot`,
        ...(s.deregisterCriticalServiceAfter
          ? { DeregisterCriticalServiceAfter: s.deregisterCriticalServiceAfter }
          : {}),
      },
    };
  }

  private serialize(operation: () => Promise<void>): Promise<void> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Consul's own default when nothing is configured. */
const DEFAULT_CONSUL: ConsulConfig = { address: '127.0.0.1:8500', scheme: 'http' };

export function createDiscovery(
  consul: ConsulConfig | undefined,
  logger: Logger,
): Discovery & { client: ConsulClient; close(): void } {
  const client = createConsulClient(consul ?? DEFAULT_CONSUL);
  const log = logger.child({ component: 'discovery' });
  return {
    client,
    registration: (service, ttlMillis) =>
      new ConsulServiceRegistration(service, ttlMillis, { client, logger: log }),
    close: () => client.close(),
  };
}
