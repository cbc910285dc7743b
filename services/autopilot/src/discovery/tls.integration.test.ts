// autopilot talking to a Consul agent over HTTPS: the CA from the config verifies the agent, a
// wrong CA is refused, and verify: false (CONSUL_HTTP_SSL_VERIFY=false) skips the check.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useConsulAgent } from '../../../../test/support/consul.ts';
import type { ConsulConfig } from '../config/types.ts';
import { silentLogger } from '../logging/logger.ts';
import { createDiscovery } from './registration.ts';

const service = (name: string) => ({
  id: `${name}-tls`,
  name,
  port: 7300,
  interfaces: ['static:127.0.0.1'],
  tags: [],
  meta: {},
  enableTagOverride: false,
});

function foreignCa(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'foreign-ca-'));
  execFileSync(process.env.CONSUL_BIN!, ['tls', 'ca', 'create'], { cwd: dir, stdio: 'ignore' });
  return path.join(dir, 'consul-agent-ca.pem');
}

describe('Consul over TLS', () => {
  const consul = useConsulAgent({ https: true });
  const https = (tls: NonNullable<ConsulConfig['tls']>): ConsulConfig => ({
    address: consul().httpsAddress,
    scheme: 'https',
    tls,
  });
  const passingIds = async (name: string) =>
    (
      await consul().api<Array<{ Service: { ID: string } }>>('GET', `/v1/health/service/${name}?passing=1`)
    ).body.map((e) => e.Service.ID);

  it('registers through HTTPS when the configured CA signed the agent certificate', async () => {
    const discovery = createDiscovery(https({ caFile: consul().caFile, verify: true }), silentLogger());
    await discovery.registration(service('secure'), 10_000).pass('ok');
    expect(await passingIds('secure')).toEqual(['secure-tls']);
    discovery.close();
  });

  it('refuses an agent whose certificate another CA signed', async () => {
    const discovery = createDiscovery(https({ caFile: foreignCa(), verify: true }), silentLogger());
    await expect(discovery.registration(service('spoofed'), 10_000).pass('ok')).rejects.toThrow(
      /certificate|self[- ]signed|verify/i,
    );
    expect(await passingIds('spoofed')).toEqual([]);
    discovery.close();
  });

  it('skips verification when told to', async () => {
    const discovery = createDiscovery(https({ verify: false }), silentLogger());
    await discovery.registration(service('unchecked'), 10_000).pass('ok');
    expect(await passingIds('unchecked')).toEqual(['unchecked-tls']);
    discovery.close();
  });
});
