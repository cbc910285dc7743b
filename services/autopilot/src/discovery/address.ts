// Which IP a service registers with, from its `interfaces` specs: ContainerPilot's rules
// (config/services/ips.go), first matching spec wins, plus `env:VAR` for Kubernetes' downward API.
//   eth0 / eth0:inet   first IPv4 of eth0          eth0:inet6   first IPv6 of eth0
//   eth0[1]            second address of eth0 (IPv4 and IPv6 counted together, in sorted order)
//   10.0.0.0/16        first address inside the network
//   inet / inet6       first non-loopback IPv4 / IPv6 of any interface
//   static:IP          that IP                      env:POD_IP   the IP in that variable, if set
// Addresses are ordered by interface name, then by address bytes, exactly as ContainerPilot does,
// so a given machine always yields the same answer.
import { BlockList, isIP } from 'node:net';
import os from 'node:os';
import type { InterfaceSpec } from '../config/types.ts';

export const DEFAULT_INTERFACES: InterfaceSpec[] = ['eth0:inet', 'inet'];

/** The shape of os.networkInterfaces(); injected in tests. */
export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

interface InterfaceIp {
  name: string;
  address: string;
  v6: boolean;
  bytes: Uint8Array;
}

type Spec =
  | { kind: 'static'; address: string }
  | { kind: 'env'; variable: string }
  | { kind: 'inet'; name: string | '*'; v6: boolean }
  | { kind: 'index'; name: string; index: number }
  | { kind: 'cidr'; network: BlockList };

// Interface names: ContainerPilot's \w+, widened to VLAN/bridge names like eth0.100 and br-1a2b.
const NAMED = /^([A-Za-z_][\w.-]*?)(?:\[(\d+)\]|:(inet6?))?$/;

export function parseInterfaceSpec(spec: InterfaceSpec): Spec {
  if (spec === 'inet' || spec === 'inet6') return { kind: 'inet', name: '*', v6: spec === 'inet6' };
  if (spec.startsWith('static:')) {
    const address = spec.slice('static:'.length);
    if (isIP(address) === 0) throw new Error(`interfaces: "${spec}" is not a static IP address`);
    return { kind: 'static', address };
  }
  if (spec.startsWith('env:')) {
    const variable = spec.slice('env:'.length);
    if (!/^\w+$/.test(variable))
      throw new Error(`interfaces: "${spec}" does not name an environment variable`);
    return { kind: 'env', variable };
  }
  const cidr = /^([0-9a-fA-F.:]+)\/(\d{1,3})$/.exec(spec);
  if (cidr) {
    const [, base, prefix] = cidr as unknown as [string, string, string];
    const family = isIP(base);
    const bits = Number(prefix);
    if (family === 0 || bits > (family === 4 ? 32 : 128))
      throw new Error(`interfaces: "${spec}" is not a valid CIDR`);
    const network = new BlockList();
    network.addSubnet(base, bits, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'cidr', network };
  }
  const named = NAMED.exec(spec);
  if (named) {
    const [, name, index, inet] = named as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    if (index !== undefined) return { kind: 'index', name, index: Number(index) };
    return { kind: 'inet', name, v6: inet === 'inet6' };
  }
  throw new Error(`interfaces: cannot parse interface spec "${spec}"`);
}

/** Resolves the address; throws with the specs and the addresses seen when nothing matches. */
export function resolveAddress(
  specs: InterfaceSpec[] = DEFAULT_INTERFACES,
  options: { interfaces?: InterfaceTable; env?: NodeJS.ProcessEnv } = {},
): string {
  const parsed = (specs.length > 0 ? specs : DEFAULT_INTERFACES).map(parseInterfaceSpec);
  const env = options.env ?? process.env;
  const ips = interfaceIps(options.interfaces ?? os.networkInterfaces());
  for (const spec of parsed) {
    const found = matchSpec(spec, ips, env);
    if (found) return found;
  }
  const seen = ips.map((ip) => `${ip.name}:${ip.address}`).join(', ') || 'none';
  throw new Error(`interfaces: none of [${specs.join(', ')}] matched; addresses: ${seen}`);
}

function matchSpec(spec: Spec, ips: InterfaceIp[], env: NodeJS.ProcessEnv): string | undefined {
  switch (spec.kind) {
    case 'static':
      return spec.address;
    case 'env': {
      const value = env[spec.variable]?.trim();
      if (!value) return undefined;
      if (isIP(value) === 0)
        throw new Error(`interfaces: env:${spec.variable} is "${value}", not an IP address`);
      return value;
    }
    case 'cidr':
      return ips.find((ip) => spec.network.check(ip.address, ip.v6 ? 'ipv6' : 'ipv4'))?.address;
    case 'inet':
      return ips.find(
        (ip) => ip.v6 === spec.v6 && (spec.name === '*' ? !isLoopback(ip) : ip.name === spec.name),
      )?.address;
    case 'index':
      return ips.filter((ip) => ip.name === spec.name)[spec.index]?.address;
  }
}

function interfaceIps(table: InterfaceTable): InterfaceIp[] {
  const ips: InterfaceIp[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      const address = info.address.split('%')[0]!; // drop an IPv6 zone
      const v6 = isIP(address) === 6;
      const bytes = toBytes(address);
      // An IPv4-mapped IPv6 address is an IPv4 address to ContainerPilot (Go's To4).
      if (v6 && isV4Mapped(bytes)) {
        ips.push({ name, address: bytes.slice(12).join('.'), v6: false, bytes });
      } else {
        ips.push({ name, address, v6, bytes });
      }
    }
  }
  return ips.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : compareBytes(a.bytes, b.bytes)));
}

const isV4Mapped = (bytes: Uint8Array): boolean =>
  bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;

function isLoopback(ip: InterfaceIp): boolean {
  if (!ip.v6) return ip.bytes[12] === 127;
  return ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 16; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** 16-byte form, IPv4 as ::ffff:a.b.c.d (Go's To16), so both families sort together. */
export function toBytes(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  if (isIP(address) === 4) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    address.split('.').forEach((octet, i) => (bytes[12 + i] = Number(octet)));
    return bytes;
  }
  let text = address;
  const tailV4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const groups: number[] = [];
  if (tailV4) {
    const [a, b, c, d] = tailV4[1]!.split('.').map(Number) as [number, number, number, number];
    text =
      text.slice(0, -tailV4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  groups.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}
