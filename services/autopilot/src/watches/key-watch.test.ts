import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/bus.ts';
import { silentLogger } from '../logging/logger.ts';
import type { WatchConfig } from '../config/types.ts';
import { KeyWatch } from './key-watch.ts';
import { ScriptedConsul } from './fake-consul.test-helper.ts';

const keyConfig: WatchConfig = { name: 'flags', kind: 'key', key: 'app/flags', interval: 10, wait: 60_000 };
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function recorder(bus: EventBus) {
  const events: string[] = [];
  bus.subscribe('recorder', (e) => void events.push(`${e.code}:${e.source}`));
  return events;
}

describe('KeyWatch', () => {
  it('publishes changed when the key appears, changes and disappears, and not when it stays put', async () => {
    const consul = new ScriptedConsul();
    const bus = new EventBus();
    const events = recorder(bus);
    const watch = new KeyWatch(keyConfig, { client: consul.client(), bus, logger: silentLogger() });
    stops.push(() => watch.stop());
    watch.start();

    await consul.answer(3n, undefined); // absent at first: nothing to say
    await consul.answer(4n, 'dark-mode=on');
    const valueAfterPut = watch.value();
    await consul.answer(5n, 'dark-mode=on'); // another key's write woke us up
    await consul.answer(6n, 'dark-mode=off');
    await consul.answer(7n, undefined);
    await consul.inFlight();
    await bus.settled();

    expect(valueAfterPut).toBe('dark-mode=on');
    expect(events).toEqual(['changed:watch.flags', 'changed:watch.flags', 'changed:watch.flags']);
    expect(watch.value()).toBeUndefined();
  });

  it('refuses a key watch without a key', () => {
    const client = new ScriptedConsul().client();
    expect(
      () =>
        new KeyWatch(
          { ...keyConfig, key: undefined },
          { client, bus: new EventBus(), logger: silentLogger() },
        ),
    ).toThrow(/needs a key/);
  });
});
