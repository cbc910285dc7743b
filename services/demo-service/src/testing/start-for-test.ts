// Test helpers: a demo service on 127.0.0.1:<free port> with a silent logger, and a promise the
// test resolves by hand (to hold a request open or end a drain delay exactly when it wants).
import os from 'node:os';
import { silentLogger } from '../logger.ts';
import type { DemoOptions, Word } from '../options.ts';
import { startDemoService, type RunningDemoService, type StartDependencies } from '../service.ts';

export function testOptions(word: Word, overrides: Partial<DemoOptions> = {}): DemoOptions {
  return {
    word,
    port: 0,
    host: '127.0.0.1',
    version: '9.9.9-test',
    hostname: os.hostname(),
    logFormat: 'json',
    logLevel: 'silent',
    shutdownTimeoutMs: 10_000,
    shutdownDelayMs: 0,
    ...overrides,
  };
}

export function startForTest(
  word: Word,
  overrides: Partial<DemoOptions> = {},
  deps: Partial<StartDependencies> = {},
): Promise<RunningDemoService> {
  return startDemoService(testOptions(word, overrides), { logger: silentLogger(), ...deps });
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
