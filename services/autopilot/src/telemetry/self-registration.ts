// The telemetry endpoint advertises itself in Consul as service `containerpilot`, with the TTL and
// heartbeat ContainerPilot hard-codes (15 s, every 5 s), so Prometheus can discover every instance.
// It keeps heartbeating during maintenance: an instance out of rotation should still be scraped.
import { warnRetriedFailure } from '../logging/errors.ts';
import type { ServiceConfig, TelemetryConfig } from '../config/types.ts';
import type { Discovery, ServiceRegistration } from '../discovery/types.ts';
import type { Logger } from '../logging/logger.ts';
import { AUTOPILOT_VERSION } from '../version.ts';

export const TELEMETRY_SERVICE_NAME = 'containerpilot';
export const TELEMETRY_TTL_MS = 15_000;
export const TELEMETRY_HEARTBEAT_MS = 5_000;

export function telemetryService(config: TelemetryConfig, port: number, hostname: string): ServiceConfig {
  return {
    id: `${TELEMETRY_SERVICE_NAME}-${hostname}`,
    name: TELEMETRY_SERVICE_NAME,
    port,
    interfaces: config.interfaces,
    // ContainerPilot tags its telemetry service with its version.
    tags: [...config.tags, AUTOPILOT_VERSION],
    meta: {},
    enableTagOverride: false,
  };
}

export class SelfRegistration {
  private readonly registration: ServiceRegistration;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;

  constructor(discovery: Discovery, service: ServiceConfig, logger: Logger) {
    this.registration = discovery.registration(service, TELEMETRY_TTL_MS);
    this.log = logger;
  }

  get serviceId(): string {
    return this.registration.serviceId;
  }

  /** Registers (on the first heartbeat) and keeps the TTL check passing. */
  start(): void {
    void this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), TELEMETRY_HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.registration.deregister();
    } catch (error) {
      this.log.warn({ err: error, serviceId: this.serviceId }, 'telemetry: deregistration failed');
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.registration.pass('autopilot telemetry serving');
    } catch (error) {
      // Consul may be starting or briefly away; the next heartbeat registers again.
      warnRetriedFailure(this.log, { serviceId: this.serviceId }, error, 'telemetry: heartbeat failed');
    }
  }
}
