import { describe, expect, it } from 'vitest';
import { parseHostPort } from './host-port.ts';

describe('parseHostPort', () => {
  it('reads hostnames and IPv4 addresses', () => {
    expect(parseHostPort('db.local:5432')).toEqual({ host: 'db.local', port: 5432 });
    expect(parseHostPort('consul-server_1:8500')).toEqual({ host: 'consul-server_1', port: 8500 });
    expect(parseHostPort('127.0.0.1:1')).toEqual({ host: '127.0.0.1', port: 1 });
    expect(parseHostPort('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
  });

  it('reads bracketed IPv6 addresses, with or without a zone', () => {
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseHostPort('[2001:db8::7]:8500')).toEqual({ host: '2001:db8::7', port: 8500 });
    expect(parseHostPort('[::ffff:10.0.0.1]:80')).toEqual({ host: '::ffff:10.0.0.1', port: 80 });
    expect(parseHostPort('[fe80::1%eth0]:8080')).toEqual({ host: 'fe80::1%eth0', port: 8080 });
  });

  it.each([
    'db.local',
    'db.local:',
    ':80',
    'db:0',
    'db:65536',
    'db:99999',
    'db:http',
    '::1:80',
    '[::1]',
    '[::1]80',
    '[1.2.3.4]:80',
    '[db.local]:80',
    '[fe80::1%]:80',
    'fe80::1%eth0:80',
    'db local:80',
    'http://db:80',
    '',
  ])('rejects %j', (address) => {
    expect(parseHostPort(address)).toBeUndefined();
  });
});
