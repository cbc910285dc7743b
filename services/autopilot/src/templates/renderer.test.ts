import { mkdtemp, readFile, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Instance } from '../discovery/types.ts';
import { EventBus } from '../events/bus.ts';
import type { Event } from '../events/events.ts';
import { silentLogger } from '../logging/logger.ts';
import { TemplateRenderer } from './renderer.ts';

const UPSTREAMS = `{{ if service "hello" }}upstream hello {
  least_conn;
{{- range service "hello" }}
  server {{ .Address }}:{{ .Port }};
{{- end }}
}
{{ end }}# {{ .GREETING | default "none" }}
`;

const instance = (id: string, port: number): Instance => ({
  id,
  service: 'hello',
  address: '127.0.0.1',
  port,
  tags: [],
  meta: {},
  node: 'n1',
});

class FakeCatalog {
  readonly services = new Map<string, Instance[]>();
  readonly watched: string[] = [];
  instances = (service: string) => this.services.get(service);
  keyValue = () => undefined;
  /** Runs when the renderer asks for a watch: stands for Consul's first answer arriving. */
  onWatch: ((service: string) => void) | undefined;
  watchService = async (service: string) => {
    if (!this.watched.includes(service)) this.watched.push(service);
    this.onWatch?.(service);
  };
  watchKey = async (key: string) => {
    if (!this.watched.includes(`key:${key}`)) this.watched.push(`key:${key}`);
  };
}

async function setup(templateText: string, onChange?: string[]) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tmpl-'));
  const source = path.join(dir, 'nginx.conf.tmpl');
  const dest = path.join(dir, 'out', 'nginx.conf');
  await writeFile(source, templateText);
  const bus = new EventBus();
  const events: Event[] = [];
  bus.subscribe('recorder', (e) => void events.push(e));
  const catalog = new FakeCatalog();
  const makeRenderer = () =>
    new TemplateRenderer(
      { name: 'nginx', source, dest, mode: 0o640, ...(onChange ? { onChange } : {}) },
      {
        bus,
        logger: silentLogger(),
        data: catalog,
        env: () => ({ GREETING: 'hi' }),
        watchService: catalog.watchService,
        watchKey: catalog.watchKey,
      },
    );
  const renderer = makeRenderer();
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 20));
    await bus.settled();
  };
  return { dir, dest, renderer, makeRenderer, catalog, events, settle };
}

describe('TemplateRenderer', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup(UPSTREAMS);
  });

  it('watches the services the template reads, renders, and announces the first render', async () => {
    await ctx.renderer.start();
    await ctx.settle();
    expect(ctx.catalog.watched).toEqual(['hello']);
    expect(await readFile(ctx.dest, 'utf8')).toBe('# hi\n');
    expect(ctx.events).toEqual([{ code: 'changed', source: 'template.nginx' }]);
    expect((await stat(ctx.dest)).mode & 0o777).toBe(0o640);
  });

  it('re-renders when instances change and stays quiet when the output is the same', async () => {
    await ctx.renderer.start();
    ctx.catalog.services.set('hello', [instance('hello-a', 3001), instance('hello-b', 3002)]);
    ctx.renderer.invalidate();
    await ctx.settle();
    expect(await readFile(ctx.dest, 'utf8')).toBe(
      'upstream hello {\n  least_conn;\n  server 127.0.0.1:3001;\n  server 127.0.0.1:3002;\n}\n# hi\n',
    );
    ctx.renderer.invalidate();
    await ctx.settle();
    expect(ctx.events.filter((e) => e.code === 'changed')).toHaveLength(2);
  });

  it('announces the first render even when an identical file is already there', async () => {
    await ctx.renderer.start();
    const restarted = ctx.makeRenderer();
    await restarted.start();
    await ctx.settle();
    expect(ctx.events).toEqual([
      { code: 'changed', source: 'template.nginx' },
      { code: 'changed', source: 'template.nginx' },
    ]);
  });

  it('renders one at a time when instances change during the first render', async () => {
    // Consul's first answer lands while start() is still rendering: the catalog invalidates at once.
    ctx.catalog.onWatch = (service) => {
      ctx.catalog.onWatch = undefined; // the first answer arrives once
      ctx.catalog.services.set(service, [instance('hello-a', 3001)]);
      ctx.renderer.invalidate();
      ctx.renderer.invalidate();
    };
    await ctx.renderer.start();
    await ctx.settle();
    expect(await readFile(ctx.dest, 'utf8')).toContain('server 127.0.0.1:3001;');
    expect(ctx.events.filter((e) => e.code === 'changed')).toHaveLength(1);
  });

  it('fails start() when the first render cannot be written, and only logs later failures', async () => {
    const blocked = await setup(UPSTREAMS);
    await writeFile(path.join(blocked.dir, 'out'), 'a file where the folder should be');
    await expect(blocked.renderer.start()).rejects.toThrow(/EEXIST|ENOTDIR/);
  });

  it('collapses a burst of invalidations into few renders', async () => {
    await ctx.renderer.start();
    for (let i = 0; i < 50; i++) {
      ctx.catalog.services.set('hello', [instance(`hello-${i}`, 4000 + i)]);
      ctx.renderer.invalidate();
    }
    await ctx.settle();
    expect(ctx.renderer.renderCount).toBeLessThanOrEqual(3);
    expect(await readFile(ctx.dest, 'utf8')).toContain('server 127.0.0.1:4049;');
  });

  it('runs onChange only after a later render that changed the file, and survives its failure', async () => {
    const marker = path.join(ctx.dir, 'reloaded');
    const withHook = await setup(UPSTREAMS, ['sh', '-c', `echo x >> ${marker}; exit 3`]);
    await withHook.renderer.start();
    await withHook.settle();
    await expect(readFile(marker, 'utf8')).rejects.toThrow();
    withHook.catalog.services.set('hello', [instance('hello-a', 3001)]);
    withHook.renderer.invalidate();
    await withHook.settle();
    await withHook.renderer.stop();
    expect(await readFile(marker, 'utf8')).toBe('x\n');
  });

  it('rejects a broken template at start with its file and position', async () => {
    const broken = await setup('{{ range service "hello" }}\n{{ .Address }\n');
    await expect(broken.renderer.start()).rejects.toThrow(/nginx\.conf\.tmpl:2:\d+/);
  });
});
