import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { eventually } from '../../../../test/support/eventually.ts';
import { describeExit, runToCompletion, startProcess, succeeded } from './process.ts';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Alive and not a zombie waiting for its (re)parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('process runner', () => {
  it('runs a command without a shell and reports its exit code', async () => {
    const { logger } = capturingLogger();
    const ok = await runToCompletion({ name: 't', argv: ['true'], logger });
    const bad = await runToCompletion({ name: 't', argv: ['sh', '-c', 'exit 3'], logger });
    expect(succeeded(ok)).toBe(true);
    expect(bad.code).toBe(3);
    expect(describeExit(bad)).toBe('exit code 3');
  });

  it('wraps each output line into a log record naming the job, stderr as warn', async () => {
    const { logger, lines } = capturingLogger();
    await runToCompletion({
      name: 'hello',
      argv: ['sh', '-c', 'echo out; echo err >&2'],
      logger,
      captureOutput: true,
    });
    expect(lines).toContainEqual(expect.objectContaining({ job: 'hello', msg: 'out', level: 30 }));
    expect(lines).toContainEqual(expect.objectContaining({ job: 'hello', msg: 'err', level: 40 }));
  });

  it('captures output for health-check notes', async () => {
    const { logger } = capturingLogger();
    const result = await runToCompletion({ name: 'h', argv: ['echo', 'a=b'], logger, captureOutput: true });
    expect(result.output).toBe('a=b\n');
  });

  it('kills the whole process group when the timeout passes', async () => {
    const { logger } = capturingLogger();
    const result = await runToCompletion({
      name: 'slow',
      argv: ['sh', '-c', 'sleep 30 & sleep 30; wait'],
      logger,
      timeout: 200,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(describeExit(result)).toBe('timed out');
  });

  it('signals the process group so grandchildren stop too', async () => {
    const { logger } = capturingLogger();
    const running = startProcess({
      name: 'tree',
      argv: ['sh', '-c', 'trap "exit 7" TERM; sleep 30 & wait'],
      logger,
    });
    await new Promise((r) => setTimeout(r, 200));
    running.signal('SIGTERM');
    const result = await running.done;
    expect(result.code === 7 || result.signal === 'SIGTERM').toBe(true);
  });

  it('reports a command that cannot start instead of throwing', async () => {
    const { logger } = capturingLogger();
    const result = await runToCompletion({ name: 'nope', argv: ['/nonexistent/binary'], logger });
    expect(result.spawnError).toBeDefined();
    expect(succeeded(result)).toBe(false);
    expect(describeExit(result)).toMatch(/failed to start/);
  });
});

describe('process runner with a daemonised grandchild', () => {
  it('reports the exit even while a background grandchild keeps the output pipe open', async () => {
    const { logger } = capturingLogger();
    const running = startProcess({
      name: 'd',
      argv: ['sh', '-c', 'sleep 5 & echo $! ; exit 0'],
      logger,
      captureOutput: true,
    });
    const result = await running.done;
    expect(result.code).toBe(0);
    running.signal('SIGKILL');
    const grandchild = Number(result.output.trim());
    await eventually(() => !isRunning(grandchild), `grandchild ${grandchild} to die`, 5000);
  });
});
