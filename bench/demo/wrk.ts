// Runs a bounded number of GETs at a fixed concurrency and reports requests/s: with wrk when it is
// installed (apt-get install wrk) unless BENCH_TOOL=node, else with the project's Node load loop. wrk has no request limit,
// so a Lua script stops its thread at the limit and says so, and SIGINT then ends wrk at once: wrk
// reports the elapsed time up to the signal, not its whole -d duration.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLoad } from '../../scripts/local/load.ts';

export interface Throughput {
  tool: 'wrk' | 'node';
  requests: number;
  /** Non-2xx answers and socket errors. */
  failed: number;
  seconds: number;
  perSecond: number;
}

const LIMIT_SCRIPT = `
local limit = tonumber(os.getenv("WRK_LIMIT"))
local seen = 0
function response(status, headers, body)
  seen = seen + 1
  if seen == limit then
    io.write("limit reached\\n")
    io.flush()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"failed":%d}\\n', summary.requests,
    summary.duration, e.connect + e.read + e.write + e.status + e.timeout))
end
`;

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

export async function measureThroughput(
  url: string,
  options: { requests: number; concurrency: number; maxSeconds: number },
): Promise<Throughput> {
  if (process.env.BENCH_TOOL === 'node' || !hasWrk()) {
    const result = await startLoad({
      url,
      concurrency: options.concurrency,
      maxRequests: options.requests,
      maxDurationMs: options.maxSeconds * 1000,
    }).done;
    return {
      tool: 'node',
      requests: result.total,
      failed: result.failed,
      seconds: result.durationMs / 1000,
      perSecond: result.perSecond,
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-wrk-'));
  const script = path.join(dir, 'limit.lua');
  writeFileSync(script, LIMIT_SCRIPT);
  try {
    const child = spawn(
      'wrk',
      ['-t1', `-c${options.concurrency}`, `-d${options.maxSeconds}s`, '-s', script, url],
      { env: { ...process.env, WRK_LIMIT: String(options.requests) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('limit reached')) child.kill('SIGINT');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const line = output.split('\n').find((l) => l.startsWith('{"requests"'));
    if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${output}`);
    const summary = JSON.parse(line) as { requests: number; durationUs: number; failed: number };
    const seconds = summary.durationUs / 1e6;
    return {
      tool: 'wrk',
      requests: summary.requests,
      failed: summary.failed,
      seconds,
      perSecond: summary.requests / seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
