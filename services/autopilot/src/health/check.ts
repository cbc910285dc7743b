// A job's health check, run by the supervisor every `health.interval`: an exec command (ContainerPilot's
// only kind) or, to spare a curl per check in every container, a native HTTP GET or TCP connect.
// The note goes to Consul as the TTL check's output, so it says what was seen.
import net from 'node:net';
import { parseHostPort } from '../config/host-port.ts';
import type { HealthConfig, Millis } from '../config/types.ts';
import type { HealthCheck, HealthResult } from '../jobs/health-monitor.ts';
import { describeExit, runToCompletion, succeeded } from '../jobs/process.ts';
import type { Logger } from '../logging/logger.ts';

export interface HealthDeps {
  logger: Logger;
  /** Read at each exec check, so values set with putEnv apply without rebuilding the check. */
  env?: () => NodeJS.ProcessEnv;
  /** The job's name; exec checks log as `<name>.health`. */
  name: string;
}

const NOTE_LIMIT = 1024;

export function createHealthCheck(config: HealthConfig, deps: HealthDeps): HealthCheck {
  switch (config.kind) {
    case 'exec':
      return execCheck(config.exec, config.timeout, config.logging.raw, deps);
    case 'http':
      return httpCheck(config.url, config.timeout, config.expectStatus);
    case 'tcp':
      return tcpCheck(config.address, config.timeout);
  }
}

function execCheck(argv: string[], timeout: Millis, raw: boolean, deps: HealthDeps): HealthCheck {
  if (argv.length === 0) throw new Error(`${deps.name}: health.exec is empty`);
  return async () => {
    const result = await runToCompletion({
      name: `${deps.name}.health`,
      argv,
      env: deps.env?.(),
      logger: deps.logger,
      raw,
      timeout,
      captureOutput: true,
    });
    const output = result.output.trim();
    const ok = succeeded(result);
    const note = ok ? output || 'ok' : output ? `${describeExit(result)}: ${output}` : describeExit(result);
    return { ok, note: truncate(note) };
  };
}

function httpCheck(url: string, timeout: Millis, expectStatus: number | undefined): HealthCheck {
  const target = new URL(url); // a bad URL is a config error, reported at once
  return async () => {
    try {
      const response = await fetch(target, { signal: AbortSignal.timeout(timeout) });
      // Drain nothing: cancelling the body releases the connection at once.
      await response.body?.cancel().catch(() => undefined);
      const ok =
        expectStatus !== undefined
          ? response.status === expectStatus
          : response.status >= 200 && response.status < 300;
      return { ok, note: `HTTP ${response.status} ${response.statusText}`.trim() };
    } catch (error) {
      return { ok: false, note: truncate(`GET ${target.href}: ${describeFetchError(error, timeout)}`) };
    }
  };
}

function tcpCheck(address: string, timeout: Millis): HealthCheck {
  const target = parseHostPort(address);
  if (!target) throw new Error(`health.tcp: "${address}" is not host:port`);
  const { host, port } = target;
  return () =>
    new Promise<HealthResult>((resolve) => {
      const socket = net.connect({ host, port });
      const finish = (result: HealthResult) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(timeout, () =>
        finish({ ok: false, note: `TCP ${address}: timed out after ${timeout}ms` }),
      );
      socket.once('connect', () => finish({ ok: true, note: `TCP ${address}: connected` }));
      socket.once('error', (error) => finish({ ok: false, note: `TCP ${address}: ${error.message}` }));
    });
}

function describeFetchError(error: unknown, timeout: Millis): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeout}ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

const truncate = (note: string): string =>
  note.length > NOTE_LIMIT ? `${note.slice(0, NOTE_LIMIT)}…` : note;
