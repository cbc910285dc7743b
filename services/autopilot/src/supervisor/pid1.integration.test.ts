import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../jobs/testing/fakes.ts';
import { startAutopilot, tempDir, type RunningAutopilot } from './testing/spawn-autopilot.ts';

/** State letter and parent PID from /proc, or undefined once the process is gone (reaped). */
function procState(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

const started: RunningAutopilot[] = [];
afterEach(() => {
  for (const { child } of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('autopilot as init (PID 1, here a child subreaper)', () => {
  it('reaps an orphaned grandchild, forwards signals to the worker and exits with its status', async () => {
    const dir = tempDir();
    const orphanPidFile = path.join(dir, 'orphan.pid');
    const hupFile = path.join(dir, 'hup');
    const jobs = [
      { name: 'server', exec: ['sleep', '60'] },
      // Leaves a background sleep behind: it is re-parented to the init process when sh exits.
      { name: 'orphaner', exec: ['sh', '-c', `sleep 1 >/dev/null 2>&1 & echo $! > ${orphanPidFile}`] },
      { name: 'on-hup', exec: ['touch', hupFile], when: { source: 'SIGHUP' } },
    ];
    const autopilot = startAutopilot({ jobs }, dir, { AUTOPILOT_SUBREAPER: '1' });
    started.push(autopilot);
    const init = autopilot.child.pid!;

    await eventually(
      () => existsSync(orphanPidFile) && readFileSync(orphanPidFile, 'utf8').trim() !== '',
      10_000,
      'the orphan',
    );
    const orphan = Number(readFileSync(orphanPidFile, 'utf8'));
    await eventually(() => procState(orphan)?.ppid === init, 5000, 'the orphan to be re-parented to init');

    // Once it exits, nobody but init can wait for it: it must not linger as a zombie.
    await eventually(() => procState(orphan) === undefined, 10_000, `orphan ${orphan} to be reaped`);

    autopilot.child.kill('SIGHUP');
    await eventually(() => existsSync(hupFile), 5000, 'SIGHUP to reach the worker');

    autopilot.child.kill('SIGTERM');
    expect(await autopilot.exited).toBe(0);
    expect(autopilot.logs).toContainEqual(
      expect.objectContaining({ job: 'server', msg: 'stopping process', signal: 'SIGTERM' }),
    );
  });

  it('keeps supervising after a failing hook, logging its exit code', async () => {
    const dir = tempDir();
    const jobs = [
      { name: 'server', exec: ['sleep', '60'] },
      { name: 'hook', exec: ['sh', '-c', 'exit 3'] },
    ];
    const autopilot = startAutopilot({ jobs }, dir);
    started.push(autopilot);

    await eventually(
      () => autopilot.logs.some((line) => line.job === 'hook' && line.exitCode === 3),
      10_000,
      'the hook failure log',
    );
    const failure = autopilot.logs.find((line) => line.job === 'hook' && line.exitCode === 3)!;
    expect(failure).toMatchObject({ level: 50, msg: 'failed: exit code 3' });
    expect(autopilot.child.exitCode).toBeNull();

    autopilot.child.kill('SIGTERM');
    expect(await autopilot.exited).toBe(0);
  });
});
