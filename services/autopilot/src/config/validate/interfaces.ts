// Interface specs choose the advertised address: ContainerPilot's eth0, eth0:inet6, eth0[1], CIDR,
// inet, inet6, static:IP, plus env:VAR (e.g. env:POD_IP on Kubernetes).
import { isIP } from 'node:net';
import type { Path } from '../parse.ts';
import { DEFAULT_INTERFACES, parseInterfaceSpec } from '../../discovery/address.ts';
import { describePath, type Checker } from './checker.ts';

/** The friendliest reason first; then the runtime's own parser has the last word, so a spec that
 * passes here can never fail at registration. */
function reason(spec: string): string | undefined {
  const why = problem(spec);
  if (why) return why;
  try {
    parseInterfaceSpec(spec);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function problem(spec: string): string | undefined {
  if (spec === 'inet' || spec === 'inet6') return undefined;
  if (spec.startsWith('static:'))
    return isIP(spec.slice(7)) ? undefined : `"${spec.slice(7)}" is not an IP address`;
  if (spec.startsWith('env:'))
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.slice(4))
      ? undefined
      : `"${spec.slice(4)}" is not an environment variable name`;
  if (spec.includes('/')) {
    const [ip = '', bits = ''] = spec.split('/');
    const max = isIP(ip) === 4 ? 32 : isIP(ip) === 6 ? 128 : 0;
    return max && /^\d+$/.test(bits) && Number(bits) <= max ? undefined : `"${spec}" is not a valid CIDR`;
  }
  if (/^[^\s/:[\]]{1,15}(:inet6?|\[\d+\])?$/.test(spec)) return undefined;
  return `"${spec}" is not an interface spec (eth0, eth0:inet6, eth0[1], CIDR, inet, inet6, static:IP or env:VAR)`;
}

export function validateInterfaces(ck: Checker, path: Path, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return [...DEFAULT_INTERFACES];
  const specs = ck.stringList(path, raw);
  if (!specs) return undefined;
  if (specs.length === 0) return ck.fail(path, 'interfaces', `${describePath(path)} must not be empty`);
  let ok = true;
  specs.forEach((spec, i) => {
    const why = reason(spec.trim());
    if (why)
      ok = !!ck.fail(
        typeof raw === 'string' ? path : [...path, i],
        'interfaces',
        `${describePath(path)}: ${why}`,
      );
  });
  return ok ? specs.map((s) => s.trim()) : undefined;
}
