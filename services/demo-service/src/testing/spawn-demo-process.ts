// Runs a demo service entrypoint (services/hello/src/main.ts, ...) as a real child process on a free
// loopback port and waits for its `listening` log line, which carries the port it got.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface DemoProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnDemoProcess(entrypoint: string, env: Record<string, string> = {}): Promise<DemoProcess> {
  const child = spawn(process.execPath, [entrypoint], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'listening' && typeof entry.port === 'number') {
        const port = entry.port;
        resolve({
          child,
          port,
          url: `http://127.0.0.1:${port}`,
          logs,
          stop(signal: NodeJS.Signals = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) =>
      reject(new Error(`${entrypoint} exited with ${code} before listening: ${stderr}`)),
    );
  });
}
