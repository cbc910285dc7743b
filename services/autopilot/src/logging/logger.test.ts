import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeFileDestination } from './destinations.ts';
import { createLogger, reopenLogs, silentLogger } from './logger.ts';

let dir: string;
const opened: string[] = [];
const logFile = (name: string): string => {
  const file = path.join(dir, name);
  opened.push(file);
  return file;
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'autopilot-logging-'));
});
afterEach(async () => {
  for (const file of opened.splice(0)) closeFileDestination(file);
  await rm(dir, { recursive: true, force: true });
});

describe('createLogger', () => {
  it('writes one pino JSON record per line in json format, right away', async () => {
    const file = logFile('json.log');
    const logger = createLogger({ level: 'info', format: 'json', output: file });

    logger.info({ job: 'nginx' }, 'job started');

    const [line] = (await readFile(file, 'utf8')).trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({ level: 30, job: 'nginx', msg: 'job started' });
  });

  it('writes human lines without colors in text and default formats', async () => {
    for (const format of ['text', 'default'] as const) {
      const file = logFile(`${format}.log`);
      createLogger({ level: 'info', format, output: file }).warn({ job: 'hello' }, 'health check failed');

      const content = await readFile(file, 'utf8');
      expect(content).toMatch(
        /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] WARN: health check failed \{"job":"hello"\}\n$/,
      );
      expect(content).not.toContain('\u001b[');
    }
  });

  it('drops records below the configured level', async () => {
    const file = logFile('level.log');
    const logger = createLogger({ level: 'warn', format: 'json', output: file });

    logger.info('chatty');
    logger.error('important');

    const content = await readFile(file, 'utf8');
    expect(content).not.toContain('chatty');
    expect(content).toContain('important');
  });

  it('never writes tokens, wherever they sit in a logged object', async () => {
    const file = logFile('redact.log');
    const logger = createLogger({ level: 'info', format: 'json', output: file });

    logger.info(
      { token: 's3cret-1', consul: { token: 's3cret-2' }, config: { consul: { token: 's3cret-3' } } },
      'x',
    );
    logger.info({ req: { headers: { 'x-consul-token': 's3cret-4' } } }, 'y');

    const content = await readFile(file, 'utf8');
    expect(content).not.toMatch(/s3cret/);
    expect(content).toContain('[redacted]');
  });
});

describe('reopenLogs', () => {
  it('moves logging to a new file at the original path after logrotate renamed the old one', async () => {
    const file = logFile('app.log');
    const logger = createLogger({ level: 'info', format: 'json', output: file });
    logger.info('before rotation');
    await rename(file, `${file}.1`);

    logger.info('after rename, before reopen');
    reopenLogs();
    logger.info('after reopen');

    const rotated = await readFile(`${file}.1`, 'utf8');
    const fresh = await readFile(file, 'utf8');
    expect(rotated).toContain('before rotation');
    expect(rotated).toContain('after rename, before reopen');
    expect(fresh).toContain('after reopen');
    expect(fresh).not.toContain('before rotation');
  });
});

describe('silentLogger', () => {
  it('is silent', () => {
    expect(silentLogger().isLevelEnabled('fatal')).toBe(false);
  });
});
