// Test doubles for jobs and the supervisor: scripted processes, a recording Consul registration,
// and one timeline on which processes, Consul calls and bus events are all written in order.
import { eventually as poll } from '../../../../../test/support/eventually.ts';
import type { JobConfig } from '../../config/types.ts';
import type { ServiceRegistration } from '../../discovery/types.ts';
import type { EventBus } from '../../events/bus.ts';
import type { Delay } from '../delay.ts';
import { realDelay } from '../delay.ts';
import type { RunningProcess, RunOptions, RunResult } from '../process.ts';

export class Timeline {
  readonly entries: string[] = [];
  add(entry: string): void {
    this.entries.push(entry);
  }
  /** Records every bus event as `code:source`. */
  watch(bus: EventBus): void {
    bus.tap((event) => this.add(`${event.code}:${event.source}`));
  }
  indexOf(entry: string): number {
    const index = this.entries.indexOf(entry);
    if (index < 0) throw new Error(`"${entry}" never happened; timeline: ${this.entries.join(', ')}`);
    return index;
  }
  count(entry: string): number {
    return this.entries.filter((e) => e === entry).length;
  }
}

let nextPid = 10_000;

export class FakeRun implements RunningProcess {
  readonly pid = nextPid++;
  readonly options: RunOptions;
  readonly done: Promise<RunResult>;
  readonly signals: NodeJS.Signals[] = [];
  /** Signals this process survives (like a process that traps them). SIGKILL always works. */
  ignores: NodeJS.Signals[] = [];
  /** Called for every signal received, e.g. to exit a little later like a graceful server. */
  onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  exited = false;
  private resolveDone!: (result: RunResult) => void;
  private readonly timeline: Timeline;

  constructor(options: RunOptions, timeline: Timeline) {
    this.options = options;
    this.timeline = timeline;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    timeline.add(`spawn:${options.name}`);
  }

  exit(code: number): void {
    this.finish({ code, signal: null, timedOut: false, output: '' });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exited) return;
    this.signals.push(signal);
    this.timeline.add(`signal:${this.options.name}:${signal}`);
    this.onSignal?.(signal);
    if (signal === 'SIGKILL' || !this.ignores.includes(signal)) {
      this.finish({ code: null, signal, timedOut: false, output: '' });
    }
  }

  private finish(result: RunResult): void {
    if (this.exited) return;
    this.exited = true;
    this.timeline.add(`exit:${this.options.name}`);
    this.resolveDone(result);
  }
}

type Script = (run: FakeRun) => void;

/** A spawn() that starts FakeRuns; a per-job script decides what each run does when it starts. */
export class FakeProcesses {
  readonly runs: FakeRun[] = [];
  private readonly scripts = new Map<string, Script>();
  private readonly timeline: Timeline;

  constructor(timeline: Timeline = new Timeline()) {
    this.timeline = timeline;
  }

  /** What runs of `job` do when started; by default they run until signalled. */
  script(job: string, script: Script): this {
    this.scripts.set(job, script);
    return this;
  }

  /** Runs of `job` exit with `code` right after starting (hooks, setup jobs). */
  exitsWith(job: string, code: number): this {
    return this.script(job, (run) => setTimeout(() => run.exit(code), 1));
  }

  readonly spawn = (options: RunOptions): RunningProcess => {
    const run = new FakeRun(options, this.timeline);
    this.runs.push(run);
    this.scripts.get(options.name)?.(run);
    return run;
  };

  of(job: string): FakeRun[] {
    return this.runs.filter((run) => run.options.name === job);
  }

  /** Processes of `job` alive right now. */
  alive(job: string): FakeRun[] {
    return this.of(job).filter((run) => !run.exited);
  }
}

export class FakeRegistration implements ServiceRegistration {
  readonly serviceId: string;
  registered = false;
  readonly calls: string[] = [];
  private readonly timeline: Timeline;

  constructor(serviceId: string, timeline: Timeline) {
    this.serviceId = serviceId;
    this.timeline = timeline;
  }

  private record(call: string): Promise<void> {
    this.calls.push(call);
    this.timeline.add(`${call}:${this.serviceId}`);
    return Promise.resolve();
  }

  pass(): Promise<void> {
    this.registered = true;
    return this.record('pass');
  }
  fail(): Promise<void> {
    return this.record('fail');
  }
  registerInitial(): Promise<void> {
    this.registered = true;
    return this.record('registerInitial');
  }
  setMaintenance(enabled: boolean): Promise<void> {
    return this.record(enabled ? 'maintenance-on' : 'maintenance-off');
  }
  deregister(): Promise<void> {
    this.registered = false;
    return this.record('deregister');
  }
}

/** A real (short) delay that also writes every wait onto the timeline. */
export function recordingDelay(timeline: Timeline, scale = 1): Delay & { waits: number[] } {
  const waits: number[] = [];
  const delay = ((ms: number, signal?: AbortSignal) => {
    waits.push(ms);
    timeline.add(`wait:${ms}`);
    return realDelay(ms * scale, signal);
  }) as Delay & { waits: number[] };
  delay.waits = waits;
  return delay;
}

/** A job config with ContainerPilot's defaults: runs once at startup, never restarts. */
export function jobConfig(name: string, overrides: Partial<JobConfig> = {}): JobConfig {
  return {
    name,
    exec: ['/bin/' + name],
    when: { kind: 'once', source: 'global', event: 'startup' },
    restarts: { kind: 'never' },
    stopTimeout: 1000,
    stopSignal: 'SIGTERM',
    drainDelay: 0,
    logging: { raw: false },
    ...overrides,
  };
}

/** Polls until `condition` holds (fails the test after `timeoutMs`); every 5ms, as fakes act at once. */
export async function eventually(
  condition: () => boolean,
  timeoutMs = 3000,
  what = 'condition',
): Promise<void> {
  await poll(condition, what, timeoutMs, 5);
}
