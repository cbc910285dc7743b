// Renders one file from a Go/consul-template style template over what the watches know — the job
// consul-template did for the demo's nginx. Writes atomically and only when the output changed, then
// publishes `changed` (source `template.<name>`) and runs `onChange`.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { compile, type Template } from '../config/template/template.ts';
import type { TemplateConfig } from '../config/types.ts';
import type { EventBus } from '../events/bus.ts';
import { describeExit, runToCompletion, succeeded } from '../jobs/process.ts';
import type { Logger } from '../logging/logger.ts';
import { templateFuncs, type Dependencies, type TemplateData } from './functions.ts';

export interface RendererDeps {
  bus: EventBus;
  logger: Logger;
  data: TemplateData;
  /** Read at each render and each onChange run, so values set with putEnv apply. */
  env: () => NodeJS.ProcessEnv;
  /** Make sure a service used by the template is watched (the first render discovers them). */
  watchService(service: string): Promise<void>;
  /** Likewise for a KV key read with `key` / `keyOrDefault`. */
  watchKey(key: string): Promise<void>;
}

export class TemplateRenderer {
  readonly source: string;
  private readonly config: TemplateConfig;
  private readonly deps: RendererDeps;
  private readonly log: Logger;
  private template: Template | undefined;
  private used: Dependencies = { services: new Set(), keys: new Set() };
  private rendering: Promise<void> | undefined;
  private dirty = false;
  private started = false;
  private stopped = false;
  private renders = 0;

  constructor(config: TemplateConfig, deps: RendererDeps) {
    this.config = config;
    this.deps = deps;
    this.source = `template.${config.name}`;
    this.log = deps.logger.child({ template: config.name });
  }

  /**
   * Compiles the template (errors name file:line:col) and renders it the first time; a failure of
   * that first render fails start(), later ones are logged and keep the previous file.
   */
  async start(): Promise<void> {
    const text = await readFile(this.config.source, 'utf8');
    this.template = compile(text, {
      name: this.config.source,
      funcs: templateFuncs(this.deps.data, {}, this.used),
    });
    await this.discoverDependencies();
    this.started = true;
    this.invalidate();
    await this.rendering;
  }

  /** Whether a change of this service or key affects the output. */
  dependsOn(kind: 'service' | 'key', name: string): boolean {
    return kind === 'service' ? this.used.services.has(name) : this.used.keys.has(name);
  }

  /** Re-render soon; bursts of changes while a render runs collapse into one more render. */
  invalidate(): void {
    if (this.stopped) return;
    // One render at a time, and none before start(): changes meanwhile just ask for one more.
    if (!this.started || this.rendering) {
      this.dirty = true;
      return;
    }
    this.rendering = this.renderLoop().finally(() => (this.rendering = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.rendering;
  }

  get renderCount(): number {
    return this.renders;
  }

  private async renderLoop(): Promise<void> {
    do {
      this.dirty = false;
      const first = this.renders === 0;
      try {
        await this.render();
      } catch (error) {
        if (first) throw error;
        this.log.error(
          { err: error, dest: this.config.dest },
          'cannot write the rendered file; keeping the previous one',
        );
      }
    } while (this.dirty && !this.stopped);
  }

  /** A dry run collects the services the template reads, so they are watched before the real render. */
  private async discoverDependencies(): Promise<void> {
    this.execute();
    await this.watchDependencies();
  }

  private async watchDependencies(): Promise<void> {
    await Promise.all([
      ...[...this.used.services].map((service) => this.deps.watchService(service)),
      ...[...this.used.keys].map((key) => this.deps.watchKey(key)),
    ]);
  }

  private execute(): string {
    const used: Dependencies = { services: new Set(), keys: new Set() };
    const env = this.deps.env();
    const output = this.template!.execute(env, {
      funcs: templateFuncs(this.deps.data, env, used),
    });
    this.used = used;
    return output;
  }

  private async render(): Promise<void> {
    let output: string;
    try {
      output = this.execute();
    } catch (error) {
      this.log.error({ err: error }, 'template render failed; keeping the previous file');
      return;
    }
    // A branch taken only now may read a service or key the earlier renders never asked for.
    await this.watchDependencies();
    const first = this.renders === 0;
    this.renders += 1;
    const previous = await readFile(this.config.dest, 'utf8').catch(() => undefined);
    if (previous === output && !first) return;
    if (previous !== output) await this.writeAtomically(output);
    // The first render always announces itself: a job waiting `once: changed` must start even when
    // an earlier run left an identical file behind.
    this.log.info({ dest: this.config.dest, changed: previous !== output }, 'template rendered');
    this.deps.bus.publish({ code: 'changed', source: this.source });
    if (this.config.onChange && !first) await this.runOnChange(this.config.onChange);
  }

  private async writeAtomically(output: string): Promise<void> {
    const dir = path.dirname(this.config.dest);
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${path.basename(this.config.dest)}.${process.pid}.${randomUUID()}.tmp`);
    try {
      await writeFile(temp, output, { mode: this.config.mode });
      await rename(temp, this.config.dest);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  private async runOnChange(argv: string[]): Promise<void> {
    const result = await runToCompletion({
      name: `${this.config.name}.onChange`,
      argv,
      env: this.deps.env(),
      logger: this.deps.logger,
    });
    if (succeeded(result)) this.log.info('onChange command succeeded');
    else
      this.log.error(
        { exit: result.code, signal: result.signal },
        `onChange command failed: ${describeExit(result)}`,
      );
  }
}
