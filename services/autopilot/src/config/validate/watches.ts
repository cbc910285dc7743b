// `watches[]`: ContainerPilot's service watches {name, interval, tag, dc} and our KV watches
// {name, key, interval, wait, dc}. Each publishes as source `watch.<name>`.
import type { WatchConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { describePath, type Checker } from './checker.ts';
import { SERVICE_NAME } from './job.ts';

const KEYS = ['name', 'interval', 'tag', 'dc', 'key', 'wait'] as const;
export const DEFAULT_WAIT_MS = 60_000;
/** Consul caps blocking queries at 10 minutes. */
const MAX_WAIT_MS = 600_000;

export function validateWatch(
  ck: Checker,
  index: number,
  raw: unknown,
): { watch?: WatchConfig; name?: string } {
  const path: Path = ['watches', index];
  const before = ck.issues.length;
  const o = ck.object(path, raw, KEYS);
  if (!o) return {};
  const has = (k: string): boolean => o[k] !== undefined && o[k] !== null;
  const name = has('name')
    ? ck.string([...path, 'name'], o.name)
    : ck.fail(path, 'watch-name', `${describePath(path)} needs a "name"`);
  if (name !== undefined && !SERVICE_NAME.test(name)) {
    ck.fail(
      [...path, 'name'],
      'watch-name',
      `watch name "${name}" must match ${SERVICE_NAME.source} (Consul service names)`,
    );
  }
  const interval = has('interval')
    ? ck.duration([...path, 'interval'], o.interval, { min: 1, rule: 'watch-interval' })
    : ck.fail(path, 'watch-interval', `${describePath(path)} needs "interval" (seconds between polls)`);
  const wait = has('wait')
    ? ck.duration([...path, 'wait'], o.wait, { min: 1, max: MAX_WAIT_MS, rule: 'watch-wait' })
    : DEFAULT_WAIT_MS;
  const key = has('key') ? ck.string([...path, 'key'], o.key) : undefined;
  if (key !== undefined && has('tag'))
    ck.fail(
      [...path, 'tag'],
      'watch-key',
      `${describePath(path)}.tag applies to service watches, not KV key watches`,
      'key',
    );
  const tag = has('tag') ? ck.string([...path, 'tag'], o.tag) : undefined;
  const dc = has('dc') ? ck.string([...path, 'dc'], o.dc) : undefined;
  if (ck.issues.length > before || name === undefined || interval === undefined || wait === undefined)
    return { name };
  return {
    name,
    watch: {
      name,
      kind: key !== undefined ? 'key' : 'service',
      ...(key !== undefined ? { key: key.replace(/^\/+/, '') } : {}),
      interval,
      wait,
      ...(tag !== undefined ? { tag } : {}),
      ...(dc !== undefined ? { dc } : {}),
    },
  };
}
