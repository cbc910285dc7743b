// One demo process supervised by autopilot (hello, world or nginx): started with its own port,
// control socket and hostname so many can share one machine; stopped the way Kubernetes would stop a
// pod (SIGTERM to autopilot, which deregisters, drains and stops its app), SIGKILL as a last resort.
// A SIGKILL takes the whole process tree, as a container's death does: autopilot starts each job in
// its own process group (ContainerPilot's Setpgid), so killing autopilot alone would orphan its app.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export interface InstanceSpec {
  service: string;
  /** 1-based ordinal within its service. */
  ordinal: number;
  configPath: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  root: string;
  port: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STOP_GRACE_MS = 30_000;

export class Instance {
  readonly spec: InstanceSpec;
  readonly id: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exitInfo: ExitInfo | undefined;
  private exited: Promise<ExitInfo> | undefined;
  private stderrTail = '';
  private stopRequested = false;

  constructor(spec: InstanceSpec) {
    this.spec = spec;
    this.id = `${spec.service}-local-${spec.ordinal}`;
    this.logFile = path.join(spec.logDir, `${this.id}.log`);
  }

  /** `onUnexpectedExit` runs when the process ends without stop() asking it to. */
  start(onUnexpectedExit?: (instance: Instance, exit: ExitInfo) => void): void {
    const node = path.join(this.spec.root, 'node_modules/.bin/node');
    const autopilot = path.join(this.spec.root, 'services/autopilot/src/main.ts');
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(node, [autopilot, '-config', this.spec.configPath], {
      cwd: this.spec.root,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.log?.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4096);
    });
    // 'close' comes after the last output, so nothing is written to the log once it has ended.
    child.once('close', () => this.log?.end());
    this.exited = once(child, 'exit').then(([code, signal]) => {
      this.exitInfo = { code: code as number | null, signal: signal as NodeJS.Signals | null };
      if (!this.stopRequested) onUnexpectedExit?.(this, this.exitInfo);
      return this.exitInfo;
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** The last lines autopilot wrote to stderr: a config error names file:line:col there. */
  get lastError(): string {
    return this.stderrTail.trim();
  }

  whenExited(): Promise<ExitInfo> {
    return this.exited ?? Promise.resolve({ code: null, signal: null });
  }

  /** Graceful stop; SIGKILL after the grace period. */
  async stop(): Promise<ExitInfo> {
    if (!this.child || !this.exited) return { code: null, signal: null };
    this.stopRequested = true;
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill(), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  /** Crash it, app included: no deregistration, Consul notices when the TTL runs out. */
  kill(): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    // Frozen first, so autopilot cannot start anything between the snapshot and the kill.
    signal(pid, 'SIGSTOP');
    for (const member of processTree(pid)) signal(member, 'SIGKILL');
  }
}

/** `root` and all its descendants, root first; orphans are re-parented, so take this before killing. */
function processTree(root: number): number[] {
  let table: string;
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
  } catch {
    return [root];
  }
  const children = new Map<number, number[]>();
  for (const line of table.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined || Number.isNaN(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
