// The one reading of "host:port" for the config (consul address, tcp health checks) and for the
// checks that connect to it, so an address the validator accepts is one the check can dial.
import { isIPv6 } from 'node:net';

const HOST_PORT = /^(?:\[([^\]]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;

/**
 * "host:port" or "[v6]:port", the v6 address optionally with a zone ("[fe80::1%eth0]:80", which
 * link-local addresses need); undefined for anything else.
 */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const match = HOST_PORT.exec(address);
  if (!match) return undefined;
  const [, v6, name, digits] = match;
  const port = Number(digits);
  if (port < 1 || port > 65535) return undefined;
  if (v6 !== undefined && !isIPv6(v6)) return undefined;
  return { host: v6 ?? name!, port };
}
