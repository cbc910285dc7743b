// The real parts behind AppDeps: Consul discovery and watches, health checks, telemetry, the
// control socket, log reopening.
import type { Config } from '../config/types.ts';
import { startControlServer } from '../control/server.ts';
import { resolveAddress } from '../discovery/address.ts';
import { createDiscovery } from '../discovery/registration.ts';
import type { ConsulClient } from '../discovery/consul-client.ts';
import { createHealthCheck } from '../health/check.ts';
import { reopenLogs, type Logger } from '../logging/logger.ts';
import { Telemetry } from '../telemetry/telemetry.ts';
import { Templates } from '../templates/templates.ts';
import { KeyWatch } from '../watches/key-watch.ts';
import { ServiceWatch } from '../watches/service-watch.ts';
import type { AppDeps, DiscoveryHandle, WatchHandle } from './deps.ts';

export interface RealDepsOptions {
  logger: Logger;
  /** The config loader, for reloads: the same one that loaded the first configuration. */
  loadConfig(path: string): Promise<Config>;
  /** For the telemetry service's ID, as for the services' (AUTOPILOT_HOSTNAME); default os.hostname(). */
  hostname?: string;
}

export function realDeps({ logger, loadConfig, hostname }: RealDepsOptions): AppDeps {
  return {
    logger,
    loadConfig,
    createDiscovery: (consul, log) => createDiscovery(consul, log),
    createHealthCheck: (health, context) => createHealthCheck(health, context),
    resolveAddress: (job) => resolveAddress(job.service?.interfaces),
    createWatch: (config, { bus, logger: log, discovery, onInstanceCount }): WatchHandle => {
      const client = consulClientOf(discovery);
      if (config.kind === 'key') {
        const watch = new KeyWatch(config, { client, bus, logger: log });
        return {
          name: watch.name,
          start: () => watch.start(),
          stop: () => watch.stop(),
          instanceCount: () => (watch.value() === undefined ? 0 : 1),
        };
      }
      const watch = new ServiceWatch(config, { client, bus, logger: log, onInstanceCount });
      return {
        name: watch.name,
        start: () => watch.start(),
        stop: () => watch.stop(),
        instanceCount: () => watch.instances().length,
      };
    },
    createTelemetry: (config, { bus, logger: log, discovery }) =>
      new Telemetry({ config, bus, logger: log, discovery, ...(hostname ? { hostname } : {}) }),
    createTemplates: (configs, { bus, logger: log, discovery, env }) =>
      new Templates(configs, {
        bus,
        logger: log,
        client: consulClientOf(discovery ?? missingDiscovery()),
        env,
      }),
    startControlServer: (context) => startControlServer(context),
    reopenLogs,
  };
}

function missingDiscovery(): never {
  throw new Error('templates need the Consul discovery');
}

function consulClientOf(discovery: DiscoveryHandle): ConsulClient {
  const client = (discovery as { client?: ConsulClient }).client;
  if (!client) throw new Error('watches need the Consul discovery');
  return client;
}
