import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { parseInterfaceSpec, resolveAddress, toBytes, type InterfaceTable } from './address.ts';

const nic = (address: string): NetworkInterfaceInfo => {
  const v6 = address.includes(':');
  return v6
    ? {
        address,
        family: 'IPv6',
        netmask: 'ffff:ffff:ffff:ffff::',
        mac: '00:00:00:00:00:00',
        internal: false,
        cidr: null,
        scopeid: 0,
      }
    : {
        address,
        family: 'IPv4',
        netmask: '255.255.0.0',
        mac: '00:00:00:00:00:00',
        internal: false,
        cidr: null,
      };
};

// A pod-like machine; deliberately listed out of order, as the OS may.
const machine: InterfaceTable = {
  lo: [nic('127.0.0.1'), nic('::1')],
  eth1: [nic('192.168.1.20'), nic('fd00::20')],
  eth0: [nic('10.2.0.7'), nic('fe80::1%eth0'), nic('10.1.0.5'), nic('2001:db8::5')],
};

const resolve = (specs: string[], env: NodeJS.ProcessEnv = {}, interfaces = machine) =>
  resolveAddress(specs, { interfaces, env });

describe('service address resolution', () => {
  it('defaults to the first IPv4 of eth0 (ordered by address), like ContainerPilot', () => {
    expect(resolve([])).toBe('10.1.0.5');
  });

  it('falls back to the first non-loopback IPv4 when there is no eth0', () => {
    const { eth0: _eth0, ...noEth0 } = machine;
    expect(resolve([], {}, noEth0)).toBe('192.168.1.20');
  });

  it('never picks loopback for the wildcard specs', () => {
    expect(() => resolve(['inet'], {}, { lo: [nic('127.0.0.1')] })).toThrow(
      /none of \[inet\] matched; addresses: lo:127.0.0.1/,
    );
    expect(() => resolve(['inet6'], {}, { lo: [nic('::1')] })).toThrow(/none of/);
  });

  it('picks the IPv6 address of a named interface with :inet6, global before link-local', () => {
    expect(resolve(['eth0:inet6'])).toBe('2001:db8::5');
    expect(resolve(['inet6'])).toBe('2001:db8::5');
  });

  it('indexes the sorted addresses of an interface, both families counted', () => {
    // eth0 sorted: 10.1.0.5, 10.2.0.7, 2001:db8::5, fe80::1
    expect(resolve(['eth0[0]'])).toBe('10.1.0.5');
    expect(resolve(['eth0[1]'])).toBe('10.2.0.7');
    expect(resolve(['eth0[2]'])).toBe('2001:db8::5');
    expect(resolve(['eth0[9]', 'eth1'])).toBe('192.168.1.20');
  });

  it('matches the first address inside a CIDR', () => {
    expect(resolve(['192.168.0.0/16'])).toBe('192.168.1.20');
    expect(resolve(['10.2.0.0/16'])).toBe('10.2.0.7');
    expect(resolve(['fd00::/8'])).toBe('fd00::20');
  });

  it('uses a static address as is', () => {
    expect(resolve(['static:203.0.113.9', 'eth0'])).toBe('203.0.113.9');
  });

  it('takes the address from an environment variable (Kubernetes POD_IP) and skips it when unset', () => {
    expect(resolve(['env:POD_IP', 'eth0'], { POD_IP: '10.244.1.17' })).toBe('10.244.1.17');
    expect(resolve(['env:POD_IP', 'eth1'], {})).toBe('192.168.1.20');
    expect(() => resolve(['env:POD_IP'], { POD_IP: 'pod-17' })).toThrow(
      /env:POD_IP is "pod-17", not an IP address/,
    );
  });

  it('tries specs in order and reports what it saw when none match', () => {
    expect(resolve(['wlan0', 'eth1:inet'])).toBe('192.168.1.20');
    expect(() => resolve(['wlan0'])).toThrow(/none of \[wlan0\] matched; addresses: eth0:10.1.0.5/);
  });

  it('rejects specs it cannot understand', () => {
    expect(() => parseInterfaceSpec('static:not-an-ip')).toThrow(/not a static IP/);
    expect(() => parseInterfaceSpec('10.0.0.0/33')).toThrow(/not a valid CIDR/);
    expect(() => parseInterfaceSpec('10.0.0.1')).toThrow(/cannot parse/);
    expect(() => parseInterfaceSpec('eth0:inet4')).toThrow(/cannot parse/);
    expect(() => parseInterfaceSpec('env:')).toThrow(/environment variable/);
  });

  it('accepts VLAN and bridge interface names', () => {
    expect(resolve(['eth0.100'], {}, { 'eth0.100': [nic('172.16.0.3')] })).toBe('172.16.0.3');
    expect(resolve(['br-1a2b:inet'], {}, { 'br-1a2b': [nic('172.17.0.1')] })).toBe('172.17.0.1');
  });

  it('treats IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(resolve(['eth0'], {}, { eth0: [nic('::ffff:10.9.8.7')] })).toBe('10.9.8.7');
  });

  it('expands IPv6 addresses to 16 bytes for ordering', () => {
    expect([...toBytes('2001:db8::5')]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    expect([...toBytes('::ffff:1.2.3.4')].slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect([...toBytes('1.2.3.4')]).toEqual([...toBytes('::ffff:1.2.3.4')]);
  });
});
