// Telemetry for one App: its own prom-client registry (never the global one, so two Apps in a
// process or a reload never collide), ContainerPilot's built-in series, the user metrics from
// telemetry.metrics, and the HTTP server for /metrics and /status, advertised in Consul.
import type { Server } from 'node:http';
import os from 'node:os';
import { Registry } from 'prom-client';
import type { TelemetryConfig } from '../config/types.ts';
import { resolveAddress } from '../discovery/address.ts';
import type { Discovery } from '../discovery/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import type { StatusSnapshot } from '../supervisor/types.ts';
import { AUTOPILOT_VERSION } from '../version.ts';
import { registerBuiltinMetrics, type BuiltinMetrics } from './builtin-metrics.ts';
import { processMetricsRegistry } from './process-metrics.ts';
import { boundPort, listenTelemetry } from './http.ts';
import { SelfRegistration, telemetryService } from './self-registration.ts';
import { statusDocument, type StatusDocument } from './status.ts';
import { UserMetrics } from './user-metrics.ts';

export interface TelemetryOptions {
  /** Absent: metrics are still counted (the built-ins), but nothing is served or registered. */
  config?: TelemetryConfig;
  bus: EventBus;
  logger: Logger;
  /** Given: the endpoint registers itself in Consul as service `containerpilot`. */
  discovery?: Discovery;
  /** For the service ID `containerpilot-<hostname>`; default os.hostname(). */
  hostname?: string;
}

export class Telemetry {
  /** This App's series; process metrics live in a registry shared by the process. */
  readonly registry = new Registry();
  private readonly builtins: BuiltinMetrics;
  private readonly userMetrics: UserMetrics;
  private readonly options: TelemetryOptions;
  private readonly log: Logger;
  private readonly untap: () => void;
  private statusProvider: (() => StatusSnapshot) | undefined;
  private server: Server | undefined;
  private selfRegistration: SelfRegistration | undefined;
  private listening: { address: string; port: number } | undefined;

  constructor(options: TelemetryOptions) {
    this.options = options;
    this.log = options.logger.child({ component: 'telemetry' });
    this.builtins = registerBuiltinMetrics(this.registry);
    this.userMetrics = new UserMetrics(options.config?.metrics ?? [], this.registry);
    this.untap = options.bus.tap((event) =>
      this.builtins.events.inc({ code: event.code, source: event.source }),
    );
  }

  /** The App registers where /status reads its snapshot from. */
  setStatusProvider(provider: () => StatusSnapshot): void {
    this.statusProvider = provider;
  }

  /** The control server's onRequest hook. */
  recordControlRequest(path: string, code: number): void {
    this.builtins.controlRequests.inc({ path, code: String(code) });
  }

  setWatchInstances(service: string, instances: number): void {
    this.builtins.watchInstances.set({ service }, instances);
  }

  /** ControlActions.putMetric: counters add, gauges set, histograms and summaries observe. */
  putMetric(values: Record<string, number>): void {
    this.userMetrics.put(values);
  }

  /** Where the server listens, once started (the real port when config.port is 0). */
  get address(): { address: string; port: number } | undefined {
    return this.listening;
  }

  /** The Prometheus exposition: this App's series plus the process's. */
  metricsText(): Promise<string> {
    return Registry.merge([processMetricsRegistry(), this.registry]).metrics();
  }

  status(): StatusDocument {
    const snapshot = this.statusProvider?.() ?? {
      version: AUTOPILOT_VERSION,
      maintenance: false,
      jobs: [],
      watches: [],
    };
    return statusDocument(snapshot);
  }

  async start(): Promise<void> {
    const config = this.options.config;
    if (!config || this.server) return;
    const address = resolveAddress(config.interfaces);
    this.server = await listenTelemetry(address, config.port, {
      metrics: () => this.metricsText(),
      status: () => this.status(),
      logger: this.log,
    });
    this.listening = { address, port: boundPort(this.server) };
    this.log.info(this.listening, 'telemetry: serving /metrics and /status');
    if (this.options.discovery) {
      const service = telemetryService(config, this.listening.port, this.options.hostname ?? os.hostname());
      this.selfRegistration = new SelfRegistration(this.options.discovery, service, this.log);
      this.selfRegistration.start();
    }
  }

  /** Deregisters from Consul, closes the server and stops counting events. Final: no restart. */
  async stop(): Promise<void> {
    this.untap();
    await this.selfRegistration?.stop();
    this.selfRegistration = undefined;
    const server = this.server;
    this.server = undefined;
    this.listening = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
