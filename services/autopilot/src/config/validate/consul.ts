// `consul`: "host:port" (optionally http:// or https://) or {address, scheme, token, tls}. Environment
// precedence follows ContainerPilot (discovery/config.go) and the Consul API client it builds:
// the file's address wins over CONSUL_HTTP_ADDR (used only when no address is configured), while
// CONSUL_HTTP_TOKEN and the TLS variables override the file.
import type { ConsulConfig, TlsConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { parseHostPort } from '../host-port.ts';
import { describePath, isObject, type Checker } from './checker.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const CONSUL_KEYS = ['address', 'scheme', 'token', 'tls'] as const;
const TLS_KEYS = ['cafile', 'capath', 'clientcert', 'clientkey', 'servername', 'verify'] as const;

/** Splits "https://host:port" into scheme and host:port. */
export function splitConsulUri(uri: string): { address: string; scheme?: 'http' | 'https' } {
  const m = /^(https?):\/\/(.*)$/i.exec(uri.trim());
  if (!m) return { address: uri.trim() };
  return { address: m[2]!.replace(/\/$/, ''), scheme: m[1]!.toLowerCase() as 'http' | 'https' };
}

const envValue = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
};

export function validateConsul(ck: Checker, raw: unknown, env: Env): ConsulConfig | undefined {
  const path: Path = ['consul'];
  const envAddr = envValue(env, 'CONSUL_HTTP_ADDR');
  let file: {
    address?: string;
    scheme?: 'http' | 'https';
    token?: string;
    tls: Partial<Record<(typeof TLS_KEYS)[number], unknown>>;
  } = {
    tls: {},
  };
  if (raw === undefined || raw === null) {
    if (!envAddr) return undefined;
  } else if (typeof raw === 'string') {
    file = { ...splitConsulUri(raw), tls: {} };
  } else {
    const o = ck.object(path, raw, CONSUL_KEYS);
    if (!o) return undefined;
    if (o.address !== undefined) {
      const s = ck.string([...path, 'address'], o.address);
      if (s !== undefined) file = { ...file, ...splitConsulUri(s) };
    }
    if (o.scheme !== undefined) {
      const scheme = ck.oneOf([...path, 'scheme'], o.scheme, ['http', 'https'], 'consul-scheme', {
        caseInsensitive: true,
      });
      if (scheme && file.scheme && scheme !== file.scheme) {
        ck.fail(
          [...path, 'scheme'],
          'consul-scheme',
          `consul.scheme "${scheme}" contradicts the address's ${file.scheme}:// prefix`,
        );
      }
      if (scheme) file.scheme = scheme;
    }
    if (o.token !== undefined) file.token = ck.string([...path, 'token'], o.token);
    if (o.tls !== undefined) file.tls = ck.object([...path, 'tls'], o.tls, TLS_KEYS) ?? {};
    if (file.address === undefined && !envAddr) {
      return ck.fail(path, 'consul-address', 'consul needs an "address" (or set CONSUL_HTTP_ADDR)');
    }
  }

  const fromEnv = file.address === undefined && envAddr !== undefined ? splitConsulUri(envAddr) : undefined;
  const address = file.address ?? fromEnv!.address;
  const hostPort = parseHostPort(address);
  if (!hostPort || hostPort.host.includes('%')) {
    const where = fromEnv
      ? `CONSUL_HTTP_ADDR="${envAddr}"`
      : describePath(isObject(raw) ? [...path, 'address'] : path);
    const at: Path = isObject(raw) && !fromEnv ? [...path, 'address'] : path;
    return ck.fail(
      at,
      'consul-address',
      hostPort
        ? // URLs have no room for a zone, and Consul is reached over HTTP.
          `${where} cannot use an IPv6 zone, got "${address}"`
        : `${where} must be "host:port" (optionally with http:// or https://), got "${address}"`,
    );
  }
  const scheme = file.scheme ?? fromEnv?.scheme ?? 'http';
  const token = envValue(env, 'CONSUL_HTTP_TOKEN') ?? file.token;
  const tls = tlsConfig(ck, file.tls, env);
  return {
    address,
    scheme,
    ...(token ? { token } : {}),
    ...(tls && (scheme === 'https' || Object.keys(tls).length > 1 || !tls.verify) ? { tls } : {}),
  };
}

function tlsConfig(
  ck: Checker,
  file: Partial<Record<(typeof TLS_KEYS)[number], unknown>>,
  env: Env,
): TlsConfig | undefined {
  const path: Path = ['consul', 'tls'];
  const pick = (key: (typeof TLS_KEYS)[number], envName: string): string | undefined =>
    envValue(env, envName) ?? (file[key] === undefined ? undefined : ck.string([...path, key], file[key]));
  const tls: TlsConfig = { verify: true };
  const caFile = pick('cafile', 'CONSUL_CACERT');
  const caPath = pick('capath', 'CONSUL_CAPATH');
  const clientCert = pick('clientcert', 'CONSUL_CLIENT_CERT');
  const clientKey = pick('clientkey', 'CONSUL_CLIENT_KEY');
  const serverName = pick('servername', 'CONSUL_TLS_SERVER_NAME');
  if (caFile) tls.caFile = caFile;
  if (caPath) tls.caPath = caPath;
  if (clientCert) tls.clientCert = clientCert;
  if (clientKey) tls.clientKey = clientKey;
  if (serverName) tls.serverName = serverName;
  if (file.verify !== undefined) tls.verify = ck.boolean([...path, 'verify'], file.verify) ?? true;
  const verifyEnv = envValue(env, 'CONSUL_HTTP_SSL_VERIFY');
  if (verifyEnv !== undefined) {
    const v = verifyEnv.toLowerCase();
    if (v === '1' || v === 'true') tls.verify = true;
    else if (v === '0' || v === 'false') tls.verify = false;
    else
      ck.fail(
        ['consul'],
        'consul-env',
        `CONSUL_HTTP_SSL_VERIFY must be one of 1, true, 0, false; got "${verifyEnv}"`,
      );
  }
  if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
    ck.fail(
      path,
      'consul-tls',
      'consul.tls needs both clientcert and clientkey (or CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY)',
    );
  }
  return tls;
}
