// Prometheus metrics under controller-runtime's names, labels and buckets, so the stock
// controller-runtime and workqueue dashboards and alerts work unchanged. Metrics live in a Registry
// the caller passes in (one set per registry), never the global default, so tests stay isolated.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { UnfinishedWork, WorkQueueMetrics } from './workqueue.ts';

export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

export interface ControllerMetrics {
  reconciled(result: ReconcileResult, seconds: number): void;
  activeWorkers(delta: number): void;
  maxConcurrentReconciles(workers: number): void;
}

// controller-runtime's reconcile_time_seconds buckets (pkg/internal/controller/metrics).
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go workqueue latency buckets: 10 ns to 1000 s, by powers of ten.
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

const QUEUE_LABELS = ['name', 'controller'] as const;

export class RuntimeMetrics {
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly workers: Gauge<'controller'>;
  private readonly maxConcurrent: Gauge<'controller'>;
  private readonly depth: Gauge<'name' | 'controller'>;
  private readonly adds: Counter<'name' | 'controller'>;
  private readonly retries: Counter<'name' | 'controller'>;
  private readonly queueDuration: Histogram<'name' | 'controller'>;
  private readonly workDuration: Histogram<'name' | 'controller'>;
  private readonly unfinished = new Map<string, () => UnfinishedWork>();

  constructor(registry: Registry) {
    const registers = [registry];
    const unfinished = this.unfinished;
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.workers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    const queueMetric = { labelNames: QUEUE_LABELS, registers };
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', ...queueMetric });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      ...queueMetric,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      ...queueMetric,
    });
    this.queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      buckets: QUEUE_BUCKETS,
      ...queueMetric,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      buckets: QUEUE_BUCKETS,
      ...queueMetric,
    });
    // Computed at scrape time from the queues' in-flight keys: no timers.
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration",
      ...queueMetric,
      collect() {
        for (const [name, read] of unfinished) this.set({ name, controller: name }, read().totalSeconds);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running',
      ...queueMetric,
      collect() {
        for (const [name, read] of unfinished) this.set({ name, controller: name }, read().longestSeconds);
      },
    });
  }

  /** The metrics of one controller (label controller=<name>). */
  controller(name: string): ControllerMetrics {
    const labels = { controller: name };
    // Zero-initialised like controller-runtime, so rates and alerts see the series from the start.
    for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const)
      this.reconcileTotal.inc({ ...labels, result }, 0);
    this.reconcileErrors.inc(labels, 0);
    this.workers.set(labels, 0);
    return {
      reconciled: (result, seconds) => {
        this.reconcileTotal.inc({ ...labels, result });
        if (result === 'error') this.reconcileErrors.inc(labels);
        this.reconcileTime.observe(labels, seconds);
      },
      activeWorkers: (delta) => this.workers.inc(labels, delta),
      maxConcurrentReconciles: (workers) => this.maxConcurrent.set(labels, workers),
    };
  }

  /** The metrics of one work queue (labels name=controller=<name>, as controller-runtime sets them). */
  queue(name: string): WorkQueueMetrics {
    const labels = { name, controller: name };
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    this.depth.set(labels, 0);
    return {
      added: () => this.adds.inc(labels),
      depth: (length) => this.depth.set(labels, length),
      queued: (seconds) => this.queueDuration.observe(labels, seconds),
      worked: (seconds) => this.workDuration.observe(labels, seconds),
      retried: () => this.retries.inc(labels),
      observe: (read) => void this.unfinished.set(name, read),
    };
  }
}

const perRegistry = new WeakMap<Registry, RuntimeMetrics>();

/** The runtime metrics registered in `registry`, created on first use. */
export function runtimeMetrics(registry: Registry): RuntimeMetrics {
  let metrics = perRegistry.get(registry);
  if (!metrics) perRegistry.set(registry, (metrics = new RuntimeMetrics(registry)));
  return metrics;
}
