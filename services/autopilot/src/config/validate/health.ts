// `jobs[].health`: exactly one of exec (ContainerPilot), http or tcp (ours); interval and ttl >= 1s.
import type { HealthConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { describePath, type Checker } from './checker.ts';
import { parseHostPort } from '../host-port.ts';

const KINDS = ['exec', 'http', 'tcp'] as const;
const KEYS = [...KINDS, 'interval', 'ttl', 'timeout', 'logging', 'expectStatus'] as const;
const SECOND = 1000;

export function validateHealth(
  ck: Checker,
  path: Path,
  raw: unknown,
  hasPort: boolean,
): HealthConfig | undefined {
  const o = ck.object(path, raw, KEYS);
  if (!o) return undefined;
  const given = KINDS.filter((k) => o[k] !== undefined && o[k] !== null);
  if (given.length !== 1) {
    const at = given.length > 1 ? [...path, given[1]!] : path;
    ck.fail(
      at,
      'health-check-kind',
      `${describePath(path)} needs exactly one of "exec", "http" or "tcp"${given.length ? `, got ${given.join(' and ')}` : ''}`,
    );
  }
  const kind = given[0];

  const interval =
    o.interval === undefined
      ? ck.fail(path, 'health-interval', `${describePath(path)} needs "interval" (seconds between checks)`)
      : ck.duration([...path, 'interval'], o.interval, { min: SECOND, rule: 'health-interval' });
  let ttl: number | undefined;
  if (o.ttl !== undefined) ttl = ck.duration([...path, 'ttl'], o.ttl, { min: SECOND, rule: 'health-ttl' });
  else if (hasPort)
    ck.fail(
      path,
      'health-ttl',
      `${describePath(path)} needs "ttl" (seconds a passing check stays valid in Consul)`,
    );
  else ttl = interval; // no service is registered, so the TTL is never used
  const timeout =
    o.timeout === undefined
      ? interval
      : ck.duration([...path, 'timeout'], o.timeout, { min: 1, rule: 'health-timeout' });

  if (o.logging !== undefined && kind !== 'exec')
    ck.fail(
      [...path, 'logging'],
      'health-logging',
      `${describePath(path)}.logging only applies to exec checks`,
    );
  if (o.expectStatus !== undefined && kind !== 'http')
    ck.fail(
      [...path, 'expectStatus'],
      'health-http',
      `${describePath(path)}.expectStatus only applies to http checks`,
      'key',
    );

  if (kind === undefined || interval === undefined || ttl === undefined || timeout === undefined)
    return undefined;
  const common = { interval, ttl, timeout };
  switch (kind) {
    case 'exec': {
      const exec = ck.argv([...path, 'exec'], o.exec);
      let raw = false;
      if (o.logging !== undefined) {
        const logging = ck.object([...path, 'logging'], o.logging, ['raw']);
        if (logging?.raw !== undefined) raw = ck.boolean([...path, 'logging', 'raw'], logging.raw) ?? false;
      }
      return exec && { ...common, kind, exec, logging: { raw } };
    }
    case 'http': {
      const url = ck.string([...path, 'http'], o.http);
      if (url === undefined) return undefined;
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        return ck.fail(
          [...path, 'http'],
          'health-http',
          `${describePath(path)}.http must be an http:// or https:// URL, got "${url}"`,
        );
      }
      const expectStatus =
        o.expectStatus === undefined
          ? undefined
          : ck.integer([...path, 'expectStatus'], o.expectStatus, {
              min: 100,
              max: 599,
              rule: 'health-http',
            });
      return { ...common, kind, url, ...(expectStatus !== undefined ? { expectStatus } : {}) };
    }
    case 'tcp': {
      const address = ck.string([...path, 'tcp'], o.tcp);
      if (address === undefined) return undefined;
      if (!parseHostPort(address))
        return ck.fail(
          [...path, 'tcp'],
          'health-tcp',
          `${describePath(path)}.tcp must be "host:port", got "${address}"`,
        );
      return { ...common, kind, address };
    }
  }
}
