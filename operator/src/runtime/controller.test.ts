import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from './clock.ts';
import { Controller, type ReconcileOutcome, type Reconciler } from './controller.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';

const logger = pino({ level: 'silent' });

/** A reconcile whose calls the test completes by hand, to control what is in flight. */
function manualReconcile() {
  const calls: { key: string; finish: (outcome?: ReconcileOutcome | Error) => void }[] = [];
  const inFlight = new Set<string>();
  let overlap = false;
  const reconcile = (key: string) =>
    new Promise<ReconcileOutcome | void>((resolve, reject) => {
      if (inFlight.has(key)) overlap = true;
      inFlight.add(key);
      calls.push({
        key,
        finish: (outcome) => {
          inFlight.delete(key);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      });
    });
  return { calls, reconcile, overlapped: () => overlap };
}

function newController(reconcile: Reconciler, workers = 1) {
  const clock = new FakeClock();
  const registry = new Registry();
  const controller = new Controller({
    name: 'demo',
    reconcile,
    logger,
    workers,
    clock,
    registry,
    rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000),
  });
  return { controller, clock, registry };
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? Number.NaN;
}

describe('Controller', () => {
  it('runs keys on several workers but never one key on two at once', async () => {
    const manual = manualReconcile();
    const { controller } = newController(manual.reconcile, 3);
    controller.start();
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await settle();
    controller.enqueue('ns/a');
    await settle();
    expect(manual.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b']);
    manual.calls[0]!.finish();
    await settle();
    expect(manual.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b', 'ns/a']);
    expect(manual.overlapped()).toBe(false);
    for (const call of manual.calls.slice(1)) call.finish();
    expect(await controller.stop(1000)).toBe(true);
  });

  it('retries a failing key with growing backoff and forgets the backoff once it succeeds', async () => {
    const manual = manualReconcile();
    const { controller, clock, registry } = newController(manual.reconcile);
    controller.start();
    controller.enqueue('ns/a');
    await settle();
    manual.calls[0]!.finish(new Error('boom'));
    await settle();
    await clock.advanceAsync(4, 1);
    expect(manual.calls).toHaveLength(1);
    await clock.advanceAsync(1, 1);
    expect(manual.calls).toHaveLength(2);
    manual.calls[1]!.finish(new Error('boom again'));
    await clock.advanceAsync(9, 1);
    expect(manual.calls).toHaveLength(2);
    await clock.advanceAsync(1, 1);
    expect(manual.calls).toHaveLength(3);
    expect(controller.queue.numRequeues('ns/a')).toBe(2);
    manual.calls[2]!.finish();
    await settle();
    expect(controller.queue.numRequeues('ns/a')).toBe(0);
    expect(await metric(registry, 'controller_runtime_reconcile_errors_total', { controller: 'demo' })).toBe(
      2,
    );
    expect(await metric(registry, 'controller_runtime_reconcile_total', { result: 'success' })).toBe(1);
    expect(await metric(registry, 'workqueue_retries_total', { name: 'demo' })).toBe(2);
    await controller.stop(0);
  });

  it('reconciles again after requeueAfterMs, and after the backoff on requeue', async () => {
    const manual = manualReconcile();
    const { controller, clock, registry } = newController(manual.reconcile);
    controller.start();
    controller.enqueue('ns/a');
    await settle();
    manual.calls[0]!.finish({ requeueAfterMs: 60_000 });
    await clock.advanceAsync(59_000, 1000);
    expect(manual.calls).toHaveLength(1);
    await clock.advanceAsync(1000, 1000);
    expect(manual.calls).toHaveLength(2);
    manual.calls[1]!.finish({ requeue: true });
    await clock.advanceAsync(5, 1);
    expect(manual.calls).toHaveLength(3);
    manual.calls[2]!.finish();
    await settle();
    expect(await metric(registry, 'controller_runtime_reconcile_total', { result: 'requeue_after' })).toBe(1);
    expect(await metric(registry, 'controller_runtime_reconcile_total', { result: 'requeue' })).toBe(1);
    expect(await metric(registry, 'controller_runtime_reconcile_total', { result: 'error' })).toBe(0);
    await controller.stop(0);
  });

  it('reports active and maximum workers', async () => {
    const manual = manualReconcile();
    const { controller, registry } = newController(manual.reconcile, 4);
    controller.start();
    controller.enqueue('a');
    controller.enqueue('b');
    await settle();
    expect(await metric(registry, 'controller_runtime_active_workers', { controller: 'demo' })).toBe(2);
    expect(
      await metric(registry, 'controller_runtime_max_concurrent_reconciles', { controller: 'demo' }),
    ).toBe(4);
    for (const call of manual.calls) call.finish();
    await settle();
    expect(await metric(registry, 'controller_runtime_active_workers', { controller: 'demo' })).toBe(0);
    await controller.stop(0);
  });

  it('stop waits for reconciles in flight; past the deadline it aborts their signal', async () => {
    const signals: AbortSignal[] = [];
    let release!: () => void;
    const { controller, clock } = newController(
      (_key, signal) =>
        new Promise<void>((resolve) => {
          signals.push(signal);
          release = resolve;
        }),
    );
    controller.start();
    controller.enqueue('a');
    await settle();
    const stopped = controller.stop(1000);
    await clock.advanceAsync(1000, 100);
    expect(await stopped).toBe(false);
    expect(signals[0]!.aborted).toBe(true);
    release();
  });
});
