import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/bus.ts';
import { silentLogger } from '../logging/logger.ts';
import type { WatchConfig } from '../config/types.ts';
import { KeyWatch } from './key-watch.ts';
import { ServiceWatch } from './service-watch.ts';
import { InstanceCatalog, type CatalogChange } from './catalog.ts';
import { ScriptedConsul, entry } from './fake-consul.test-helper.ts';

const keyConfig: WatchConfig = { name: 'flags', kind: 'key', key: 'app/flags', interval: 10, wait: 60_000 };
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

describe('InstanceCatalog', () => {
  it('gathers service instances and key values by watch name, and tells subscribers what changed', async () => {
    const services = new ScriptedConsul();
    const keys = new ScriptedConsul();
    const deps = { bus: new EventBus(), logger: silentLogger() };
    const catalog = new InstanceCatalog();
    catalog.add(
      new ServiceWatch(
        { name: 'hello', kind: 'service', interval: 10, wait: 60_000 },
        { ...deps, client: services.client() },
      ),
    );
    catalog.add(new KeyWatch(keyConfig, { ...deps, client: keys.client() }));
    const changes: CatalogChange[] = [];
    catalog.subscribe((change) => changes.push(change));
    stops.push(() => catalog.stop());
    catalog.start();

    await services.answer(2n, [entry('hello-b', '10.0.0.3', 3001), entry('hello-a', '10.0.0.2', 3001)]);
    await keys.answer(2n, 'v1');
    await catalog.ready();

    expect(catalog.get('hello').map((i) => `${i.address}:${i.port}`)).toEqual([
      '10.0.0.2:3001',
      '10.0.0.3:3001',
    ]);
    expect(catalog.get('world')).toEqual([]);
    expect(catalog.keyValue('flags')).toBe('v1');
    expect(changes).toEqual([
      { kind: 'service', name: 'hello' },
      { kind: 'key', name: 'flags' },
    ]);
    expect(catalog.status()).toEqual([
      { name: 'hello', kind: 'service', instances: 2 },
      { name: 'flags', kind: 'key', instances: 1 },
    ]);
  });

  it('builds one watch of the right kind per configured watch', () => {
    const deps = { client: new ScriptedConsul().client(), bus: new EventBus(), logger: silentLogger() };
    const catalog = InstanceCatalog.fromConfig(
      [{ name: 'hello', kind: 'service', interval: 10, wait: 1000 }, keyConfig],
      deps,
    );
    expect(catalog.serviceNames()).toEqual(['hello']);
    expect(catalog.status().map((s) => `${s.kind}:${s.name}`)).toEqual(['service:hello', 'key:flags']);
  });

  it('refuses two watches with the same name', () => {
    const client = new ScriptedConsul().client();
    const config: WatchConfig = { name: 'hello', kind: 'service', interval: 10, wait: 1000 };
    expect(() =>
      InstanceCatalog.fromConfig([config, config], { client, bus: new EventBus(), logger: silentLogger() }),
    ).toThrow(/defined twice/);
  });
});
