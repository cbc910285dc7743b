// The demo as `npm run local` runs it: a real Consul agent, nginx and hello/world Node services, each
// under autopilot, on 127.0.0.1. One app for the whole file; every story first brings it to the
// scale it starts from. Waits poll with generous deadlines: nothing here asserts how fast it went.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLoad } from '../../scripts/local/load.ts';
import { eventually } from '../support/eventually.ts';
import { answeredBy, ROOT, routedIds, useLocalApp } from '../support/local-app.ts';

const TTL_SECONDS = 10; // services/hello/containerpilot.json5

// world runs from a copy of its config that a story later breaks, as an operator's bad edit would.
const fixture = useLocalApp({
  configs: (stateDir) => {
    const worldConfig = path.join(stateDir, 'world-containerpilot.json5');
    writeFileSync(worldConfig, readFileSync(path.join(ROOT, 'services/world/containerpilot.json5')));
    return { world: worldConfig };
  },
});
const app = () => fixture.app();

async function get(route: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(new URL(route, app().url), { signal: AbortSignal.timeout(5000) });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/** Scales hello and waits until nginx routes to exactly the running instances, oldest first. */
async function scaleHello(count: number): Promise<string[]> {
  await app().scale({ hello: count });
  const ids = app()
    .running('hello')
    .map((i) => i.id);
  const wanted = JSON.stringify([...ids].sort());
  await eventually(
    async () => JSON.stringify((await routedIds(app())).hello.sort()) === wanted,
    `nginx to route to exactly ${ids.join(', ')}`,
    60_000,
  );
  return ids;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('the demo on this machine: Consul, nginx, hello and world, each under autopilot', () => {
  it('serves the page, and Hello and World through nginx', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('data-testid="hello-word"');

    expect(await get('/hello')).toMatchObject({ status: 200, text: 'Hello' });
    expect(await get('/world')).toMatchObject({ status: 200, text: 'World' });
  });

  it('routes requests to every new instance once hello is scaled up to 4', async () => {
    await app().scale({ hello: 4 });
    const ids = app()
      .running('hello')
      .map((i) => i.id)
      .sort();
    expect(ids).toHaveLength(4);

    const answered = new Set<string>();
    await eventually(
      async () => {
        for (let i = 0; i < 20; i++) answered.add((await answeredBy(app(), 'hello')) ?? 'none');
        return ids.every((id) => answered.has(id));
      },
      'requests answered by all 4 hello instances',
      90_000,
    );

    expect([...answered].filter((id) => id !== 'none').sort()).toEqual(ids);
  }, 120_000);

  it('loses no request while hello scales down from 4 to 1 under load', async () => {
    const [survivor, ...leaving] = await scaleHello(4);
    const answeredAfterScaleDown = new Set<string>();
    let scaledDown = false;
    const answeredByLeaving = new Set<string>();
    const load = startLoad({
      url: `${app().url}hello?format=json`,
      concurrency: 3,
      maxRequests: 100_000,
      maxDurationMs: 60_000,
      onAnswer: (body) => {
        const { instance } = JSON.parse(body) as { instance: string };
        if (scaledDown) answeredAfterScaleDown.add(instance);
        else if (leaving.includes(instance)) answeredByLeaving.add(instance);
      },
    });

    try {
      await eventually(async () => answeredByLeaving.size > 0, 'the load to reach the leaving instances');
      // LocalApp stops the newest instances (each deregisters, drains, then stops): the oldest stays.
      await app().scale({ hello: 1 });
      scaledDown = true;
      await eventually(async () => answeredAfterScaleDown.size > 0, 'answers after the scale-down');
    } finally {
      load.stop();
    }
    const result = await load.done;

    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(0); // the leaving/surviving assertions below prove the load spanned the scale-down
    expect(
      app()
        .running('hello')
        .map((i) => i.id),
    ).toEqual([survivor]);
    expect([...answeredAfterScaleDown]).toEqual([survivor]);
  }, 120_000);

  it('takes a SIGKILLed hello instance out of nginx once its health TTL runs out', async ({ annotate }) => {
    const [survivor, victimId] = await scaleHello(2);
    const victim = app()
      .running('hello')
      .find((i) => i.id === victimId)!;

    const killedAt = Date.now();
    victim.kill();

    expect(await victim.whenExited()).toEqual({ code: null, signal: 'SIGKILL' });
    // A crash takes the app with it, as a container's death would: nothing answers on its port.
    await eventually(
      () => refusesConnections(victim.spec.port),
      `nothing to answer on ${victim.id}'s port`,
      10_000,
    );
    const deadline = 3 * TTL_SECONDS * 1000;
    await eventually(
      async () => {
        const checks = await app().consulAgent.api<Array<{ ServiceID: string; Status: string }>>(
          'GET',
          '/v1/health/checks/hello',
        );
        return checks.body.find((check) => check.ServiceID === victim.id)?.Status === 'critical';
      },
      `Consul to mark ${victim.id} critical`,
      deadline,
    );
    const criticalAfter = Date.now() - killedAt;
    const routed = await eventually(
      async () => {
        const { hello } = await routedIds(app());
        return !hello.includes(victim.id) && hello;
      },
      `nginx to stop routing to ${victim.id}`,
      deadline,
    );
    const goneAfter = Date.now() - killedAt;

    expect(routed).toEqual([survivor]);
    expect(await get('/hello')).toMatchObject({ status: 200, text: 'Hello' });
    await annotate(
      `critical in Consul after ${(criticalAfter / 1000).toFixed(1)} s, out of nginx after ` +
        `${(goneAfter / 1000).toFixed(1)} s (TTL ${TTL_SECONDS} s)`,
    );
  }, 120_000);

  it("keeps hello and nginx serving when world's config turns bad, and says where it is wrong", async () => {
    const worldConfig = path.join(fixture.stateDir(), 'world-containerpilot.json5');
    await app().scale({ world: 0 });
    const good = readFileSync(worldConfig, 'utf8');
    const portLine = "port: '{{ .PORT | default `3002` }}',";
    expect(good).toContain(portLine);
    const bad = good.replace(portLine, "port: 'abc',");
    writeFileSync(worldConfig, bad);
    const lines = bad.split('\n');
    const line = lines.findIndex((l) => l.includes("port: 'abc'")) + 1;
    const column = lines[line - 1]!.indexOf("'abc'") + 1;

    await app().scale({ world: 1 });
    const { instance, exit } = await eventually(
      async () => fixture.unexpectedExits.find((e) => e.instance.spec.service === 'world') ?? false,
      'the world instance to exit',
    );

    expect(exit.code).toBeGreaterThan(0);
    expect(instance.lastError).toContain(`${worldConfig}:${line}:${column}:`);
    expect(instance.lastError).toContain('port must be a whole number, got string "abc"');
    expect(await get('/hello')).toMatchObject({ status: 200, text: 'Hello' });
    expect(await get('/world')).toMatchObject({
      status: 503,
      text: 'No healthy world instances are available. Start or scale up the world service.\n',
    });
    expect(app().running('hello').length).toBeGreaterThan(0);
  }, 90_000);
});
