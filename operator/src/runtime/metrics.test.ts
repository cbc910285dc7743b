import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { runtimeMetrics } from './metrics.ts';
import { WorkQueue } from './workqueue.ts';

describe('runtime metrics', () => {
  it('exposes controller-runtime names and labels, zeroed from the start', async () => {
    const registry = new Registry();
    runtimeMetrics(registry).controller('helloworldapp');
    runtimeMetrics(registry).queue('helloworldapp');
    const text = await registry.metrics();
    for (const line of [
      'controller_runtime_reconcile_total{controller="helloworldapp",result="success"} 0',
      'controller_runtime_reconcile_total{controller="helloworldapp",result="error"} 0',
      'controller_runtime_reconcile_total{controller="helloworldapp",result="requeue"} 0',
      'controller_runtime_reconcile_total{controller="helloworldapp",result="requeue_after"} 0',
      'controller_runtime_reconcile_errors_total{controller="helloworldapp"} 0',
      'controller_runtime_active_workers{controller="helloworldapp"} 0',
      'workqueue_depth{name="helloworldapp",controller="helloworldapp"} 0',
      'workqueue_adds_total{name="helloworldapp",controller="helloworldapp"} 0',
      'workqueue_retries_total{name="helloworldapp",controller="helloworldapp"} 0',
    ])
      expect(text).toContain(line);
    expect(text).toContain('# TYPE controller_runtime_reconcile_time_seconds histogram');
    expect(text).toContain('# TYPE workqueue_queue_duration_seconds histogram');
    expect(text).toContain('# TYPE workqueue_work_duration_seconds histogram');
  });

  it('records reconciles, and reads unfinished work from the queue at scrape time', async () => {
    const registry = new Registry();
    const metrics = runtimeMetrics(registry);
    expect(runtimeMetrics(registry)).toBe(metrics);
    const controller = metrics.controller('c');
    controller.reconciled('error', 0.3);
    controller.reconciled('success', 0.001);
    const clock = new FakeClock();
    const queue = new WorkQueue({ name: 'c', clock, metrics: metrics.queue('c') });
    queue.add('a');
    queue.add('b');
    await queue.get();
    await queue.get();
    clock.advance(4000);
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_total{controller="c",result="error"} 1');
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="c"} 1');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="c"} 2');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="c"} 1');
    expect(text).toContain('workqueue_adds_total{name="c",controller="c"} 2');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="c",controller="c"} 8');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="c",controller="c"} 4');
  });

  it('keeps registries apart', async () => {
    const one = new Registry();
    const two = new Registry();
    runtimeMetrics(one).controller('x').reconciled('success', 1);
    runtimeMetrics(two);
    expect(await two.metrics()).not.toContain('controller="x"');
  });
});
