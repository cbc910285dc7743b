// Starts a demo service on a real socket and wires process signals to its graceful shutdown.
// startDemoService is what tests use; runDemoService is the whole process (used by main.ts files).
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createDemoApp, type Readiness } from './app.ts';
import { createGracefulShutdown, type ShutdownResult } from './graceful-shutdown.ts';
import { createDemoLogger, type Logger } from './logger.ts';
import { readDemoOptions, type DemoOptions, type ServiceDefaults } from './options.ts';

export interface RunningDemoService {
  server: Server;
  /** Base URL a client on this machine can use, e.g. http://127.0.0.1:3001 */
  url: string;
  port: number;
  instanceId: string;
  readiness: Readiness;
  shutdown(): Promise<ShutdownResult>;
}

export interface StartDependencies {
  logger: Logger;
  extend?: (app: Express) => void;
  sleep?: (ms: number) => Promise<void>;
}

export async function startDemoService(
  options: DemoOptions,
  deps: StartDependencies,
): Promise<RunningDemoService> {
  // Same as the Consul service ID autopilot registers (ContainerPilot's `name-hostname`), so the
  // page can tell which healthy instance answered.
  const instanceId = options.instanceId ?? `${options.word.toLowerCase()}-${options.hostname}`;
  const readiness: Readiness = { draining: false };
  const app = createDemoApp({
    word: options.word,
    instanceId,
    hostname: options.hostname,
    version: options.version,
    logger: deps.logger,
    readiness,
    ...(deps.extend ? { extend: deps.extend } : {}),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const graceful = createGracefulShutdown(server, {
    readiness,
    logger: deps.logger,
    timeoutMs: options.shutdownTimeoutMs,
    delayMs: options.shutdownDelayMs,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  return {
    server,
    url: `http://${clientHost(options.host)}:${port}`,
    port,
    instanceId,
    readiness,
    ...graceful,
  };
}

/** The whole process: env → server → SIGTERM/SIGINT → graceful exit (0 drained, 1 forced or failed). */
export async function runDemoService(defaults: ServiceDefaults): Promise<void> {
  let options: DemoOptions;
  try {
    options = readDemoOptions(process.env, defaults);
  } catch (error) {
    process.stderr.write(`${defaults.word.toLowerCase()}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createDemoLogger({
    format: options.logFormat,
    level: options.logLevel,
    name: defaults.word.toLowerCase(),
  });
  let service: RunningDemoService;
  try {
    service = await startDemoService(options, { logger });
  } catch (error) {
    logger.fatal({ err: error, port: options.port, host: options.host }, 'cannot start');
    process.exit(1);
  }
  logger.info(
    { port: service.port, host: options.host, instance: service.instanceId, version: options.version },
    'listening',
  );

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    service.shutdown().then(
      ({ forced }) => process.exit(forced ? 1 : 0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function clientHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
