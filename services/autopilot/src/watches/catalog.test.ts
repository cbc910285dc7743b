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
    const watches = [
      new ServiceWatch(
        { name: 'hello', kind: 'service', interval: 10, wait: 60_000 },
        { ...deps, client: services.client() },
      ),
      new KeyWatch(keyConfig, { ...deps, client: keys.client() }),
    ];
    for (const watch of watches) catalog.add(watch);
    const changes: CatalogChange[] = [];
    catalog.subscribe((change) => changes.push(change));
    stops.push(() => catalog.stop());
    for (const watch of watches) watch.start();

    await services.answer(2n, [entry('hello-b', '10.0.0.3', 3001), entry('hello-a', '10.0.0.2', 3001)]);
    await keys.answer(2n, 'v1');
    await Promise.all(watches.map((watch) => watch.firstAnswer));

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
  });

  it('refuses two watches with the same name', () => {
    const deps = { client: new ScriptedConsul().client(), bus: new EventBus(), logger: silentLogger() };
    const config: WatchConfig = { name: 'hello', kind: 'service', interval: 10, wait: 1000 };
    const catalog = new InstanceCatalog();
    catalog.add(new ServiceWatch(config, deps));
    expect(() => catalog.add(new KeyWatch({ ...keyConfig, name: 'hello' }, deps))).toThrow(/defined twice/);
  });
});
