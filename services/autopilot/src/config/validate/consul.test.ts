import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../parse.ts';
import type { ConsulConfig } from '../types.ts';
import { Checker } from './checker.ts';
import { validateConsul } from './consul.ts';

function consul(text: string, env: Record<string, string> = {}): { consul?: ConsulConfig; rules: string[] } {
  const ck = new Checker(parseConfigText(`{consul: ${text}}`, 'cp.json5').config!);
  const root = ck.doc.value as { consul?: unknown };
  const result = validateConsul(ck, root.consul, env);
  return { ...(result ? { consul: result } : {}), rules: ck.issues.map((i) => i.rule) };
}

describe('consul client config', () => {
  it('reads "host:port" with an optional scheme', () => {
    expect(consul('"consul:8500"').consul).toEqual({ address: 'consul:8500', scheme: 'http' });
    expect(consul('"https://consul.example.com:8501"').consul).toEqual({
      address: 'consul.example.com:8501',
      scheme: 'https',
      tls: { verify: true },
    });
    expect(consul('"[::1]:8500"').consul).toEqual({ address: '[::1]:8500', scheme: 'http' });
  });

  it('reads the object form with token and tls', () => {
    const text = `{address: "c:8501", scheme: "https", token: "t0k", tls: {cafile: "ca.crt", capath: "cas/", clientcert: "c.crt",
      clientkey: "c.key", servername: "consul.local", verify: false}}`;
    expect(consul(text).consul).toEqual({
      address: 'c:8501',
      scheme: 'https',
      token: 't0k',
      tls: {
        caFile: 'ca.crt',
        caPath: 'cas/',
        clientCert: 'c.crt',
        clientKey: 'c.key',
        serverName: 'consul.local',
        verify: false,
      },
    });
  });

  it('prefers the file address over CONSUL_HTTP_ADDR, which only fills a missing address', () => {
    expect(consul('"file:8500"', { CONSUL_HTTP_ADDR: 'env:8500' }).consul?.address).toBe('file:8500');
    expect(consul('{token: "x"}', { CONSUL_HTTP_ADDR: 'https://env:8501' }).consul).toMatchObject({
      address: 'env:8501',
      scheme: 'https',
    });
    expect(consul('null', { CONSUL_HTTP_ADDR: 'env:8500' }).consul).toEqual({
      address: 'env:8500',
      scheme: 'http',
    });
    expect(consul('null').consul).toBeUndefined();
  });

  it('lets CONSUL_HTTP_TOKEN and the TLS variables override the file, as ContainerPilot does', () => {
    const env = {
      CONSUL_HTTP_TOKEN: 'env-token',
      CONSUL_CACERT: '/env/ca.crt',
      CONSUL_CAPATH: '/env/cas',
      CONSUL_CLIENT_CERT: '/env/c.crt',
      CONSUL_CLIENT_KEY: '/env/c.key',
      CONSUL_TLS_SERVER_NAME: 'env.consul',
      CONSUL_HTTP_SSL_VERIFY: 'FALSE',
    };
    const text =
      '{address: "c:8501", scheme: "https", token: "file-token", tls: {cafile: "f.crt", servername: "file.consul", verify: true}}';
    expect(consul(text, env).consul).toEqual({
      address: 'c:8501',
      scheme: 'https',
      token: 'env-token',
      tls: {
        caFile: '/env/ca.crt',
        caPath: '/env/cas',
        clientCert: '/env/c.crt',
        clientKey: '/env/c.key',
        serverName: 'env.consul',
        verify: false,
      },
    });
  });

  it('ignores empty environment variables', () => {
    expect(
      consul('{address: "c:8500", token: "file"}', { CONSUL_HTTP_TOKEN: '', CONSUL_HTTP_ADDR: '' }).consul,
    ).toEqual({
      address: 'c:8500',
      scheme: 'http',
      token: 'file',
    });
  });

  it('rejects a bad CONSUL_HTTP_ADDR and a bad CONSUL_HTTP_SSL_VERIFY', () => {
    expect(consul('{token: "x"}', { CONSUL_HTTP_ADDR: 'nope' }).rules).toEqual(['consul-address']);
    expect(consul('"c:8500"', { CONSUL_HTTP_SSL_VERIFY: 'yes' }).rules).toEqual(['consul-env']);
  });
});
