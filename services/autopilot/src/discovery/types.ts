// What jobs, watches and templates need from service discovery. discovery/ implements it on Consul.
import type { ServiceConfig } from '../config/types.ts';

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** One job's service in Consul: registration, TTL heartbeats, maintenance, deregistration. */
export interface ServiceRegistration {
  readonly serviceId: string;
  /**
   * Heartbeat after a passing check. Registers first when not yet registered (or initial_status
   * registered it), and re-registers when the agent answers 404 (agent restarted with empty state,
   * or the service was deregistered under us).
   */
  pass(note: string): Promise<void>;
  /** A failing check: marks the TTL check critical at once instead of waiting for the TTL to run out. */
  fail(note: string): Promise<void>;
  /** Registers now with initial_status, when configured. */
  registerInitial(): Promise<void>;
  setMaintenance(enabled: boolean): Promise<void>;
  deregister(): Promise<void>;
  readonly registered: boolean;
  /** The address of the latest registration, once registered (status, CONTAINERPILOT_{JOB}_IP). */
  readonly address?: string;
}

export interface Instance {
  id: string;
  service: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  node: string;
}

export interface Discovery {
  registration(service: ServiceConfig, ttlMillis: number): ServiceRegistration;
}
