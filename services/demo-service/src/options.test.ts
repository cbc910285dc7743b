import { describe, expect, it } from 'vitest';
import { readDemoOptions } from './options.ts';

describe('reading demo service options from the environment', () => {
  it('uses the service defaults when nothing is set', () => {
    const options = readDemoOptions({}, { word: 'World', port: 3002 });

    expect(options).toMatchObject({
      word: 'World',
      port: 3002,
      host: '0.0.0.0',
      logFormat: 'json',
      logLevel: 'info',
      shutdownTimeoutMs: 4000,
      shutdownDelayMs: 0,
    });
    expect(options.instanceId).toBeUndefined();
    expect(options.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('takes port, host, instance id, version and log settings from the environment', () => {
    const options = readDemoOptions(
      {
        PORT: '4001',
        HOST: '127.0.0.1',
        INSTANCE_ID: 'hello-abc',
        APP_VERSION: '2.0.0',
        LOG_FORMAT: 'pretty',
        LOG_LEVEL: 'DEBUG',
        SHUTDOWN_TIMEOUT_MS: '1500',
        SHUTDOWN_DELAY_MS: '250',
      },
      { word: 'Hello', port: 3001 },
    );

    expect(options).toMatchObject({
      port: 4001,
      host: '127.0.0.1',
      instanceId: 'hello-abc',
      version: '2.0.0',
      logFormat: 'pretty',
      logLevel: 'debug',
      shutdownTimeoutMs: 1500,
      shutdownDelayMs: 250,
    });
  });

  it('treats empty values as unset', () => {
    const options = readDemoOptions({ PORT: '', INSTANCE_ID: '  ' }, { word: 'Hello', port: 3001 });

    expect(options.port).toBe(3001);
    expect(options.instanceId).toBeUndefined();
  });

  it.each([
    [{ PORT: 'http' }, 'PORT must be an integer from 0 to 65535, got "http"'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535, got "70000"'],
    [{ SHUTDOWN_TIMEOUT_MS: '-1' }, 'SHUTDOWN_TIMEOUT_MS must be an integer'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be "json" or "pretty", got "xml"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
  ])('rejects %o with a clear message', (env, message) => {
    expect(() => readDemoOptions(env, { word: 'Hello', port: 3001 })).toThrow(message);
  });
});
