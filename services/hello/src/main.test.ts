import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnDemoProcess, type DemoProcess } from '../../demo-service/src/testing/spawn-demo-process.ts';

const entrypoint = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the hello service process', () => {
  let running: DemoProcess | undefined;
  afterEach(async () => {
    await running?.stop('SIGKILL');
    running = undefined;
  });

  it('answers Hello, names its instance from INSTANCE_ID and exits 0 on SIGTERM', async () => {
    running = await spawnDemoProcess(entrypoint, { INSTANCE_ID: 'hello-test-1' });

    expect(await (await fetch(running.url)).text()).toBe('Hello');
    const answer = (await (await fetch(`${running.url}/?format=json`)).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ message: 'Hello', instance: 'hello-test-1', pid: running.child.pid });

    expect(await running.stop('SIGTERM')).toBe(0);
    expect(running.logs.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['stopping', 'drained']));
  });

  it('refuses to start with a clear message when PORT is not a number', async () => {
    await expect(spawnDemoProcess(entrypoint, { PORT: 'eighty' })).rejects.toThrow(
      'PORT must be an integer from 0 to 65535, got "eighty"',
    );
  });
});
