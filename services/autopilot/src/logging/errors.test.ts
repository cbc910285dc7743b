import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { errorMessage, warnRetriedFailure } from './errors.ts';

describe('retried failures in the log', () => {
  it('are one warn line naming the cause; the stack only at debug', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8500'), { code: 'ECONNREFUSED' });
    warnRetriedFailure(pino({ level: 'info' }, sink), { job: 'hello' }, refused, 'could not send heartbeat');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        job: 'hello',
        error: 'connect ECONNREFUSED 127.0.0.1:8500',
        msg: 'could not send heartbeat',
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('at ');
  });

  it('names a code the message leaves out, including a fetch cause', () => {
    const fetchFailure = new Error('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }),
    });
    expect(errorMessage(fetchFailure)).toBe('fetch failed (ECONNRESET)');
    expect(errorMessage('plain')).toBe('plain');
  });
});
