// The control plane's endpoints (ContainerPilot v3 paths) and what each does with ControlActions.
import type { IncomingMessage } from 'node:http';
import { parseEnvValues, parseMetricValues, readJsonObject } from './body.ts';
import type { ControlActions } from './types.ts';

export interface Reply {
  code: number;
  /** JSON-encoded when an object; sent as text when a string; no body when absent. */
  body?: object | string;
}

export interface RouteContext {
  actions: ControlActions;
  /** Current maintenance state, to answer maintenance requests with `{updated}` as CP's docs show. */
  inMaintenance?: () => boolean;
}

interface Route {
  method: 'GET' | 'POST';
  handle(req: IncomingMessage, context: RouteContext): Promise<Reply>;
}

const OK: Reply = { code: 200 };

async function putEnv(req: IncomingMessage, { actions }: RouteContext): Promise<Reply> {
  actions.putEnv(parseEnvValues(await readJsonObject(req)));
  return OK;
}

async function putMetric(req: IncomingMessage, { actions }: RouteContext): Promise<Reply> {
  actions.putMetric(parseMetricValues(await readJsonObject(req)));
  return OK;
}

const setMaintenance =
  (enabled: boolean) =>
  async (_req: IncomingMessage, { actions, inMaintenance }: RouteContext): Promise<Reply> => {
    const before = inMaintenance?.();
    await actions.setMaintenance(enabled);
    return { code: 200, body: before === undefined ? {} : { updated: before !== enabled } };
  };

export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/v3/environ', { method: 'POST', handle: putEnv }],
  // The path ContainerPilot's docs name in places; its server only ever knew /v3/environ.
  ['/v3/env', { method: 'POST', handle: putEnv }],
  ['/v3/metric', { method: 'POST', handle: putMetric }],
  [
    '/v3/reload',
    {
      method: 'POST',
      handle: async (_req, { actions }) => {
        await actions.reload();
        return OK;
      },
    },
  ],
  ['/v3/maintenance/enable', { method: 'POST', handle: setMaintenance(true) }],
  ['/v3/maintenance/disable', { method: 'POST', handle: setMaintenance(false) }],
  ['/v3/ping', { method: 'GET', handle: async () => ({ code: 200, body: 'ok' }) }],
]);
