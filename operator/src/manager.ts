// The operator process, as controller-runtime's manager runs one: probes and metrics first, then the
// informers (on every replica, so a successor starts with a warm cache), then — once this replica
// leads and the caches have synced — the controller's workers. Stopping reverses it: drain the
// workers, release the lease so a successor takes over at once, stop the watches, close the port.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { OperatorConfig } from './config.ts';
import { helloWorldAppController } from './controllers/helloworldapp/controller.ts';
import { EventRecorder } from './runtime/events.ts';
import { LeaderElector } from './runtime/leader-election.ts';
import { KubeLeaseLock } from './runtime/lease-lock.ts';
import { ProbeServer } from './runtime/server.ts';

/** The Lease replicas contend for, in the operator's own namespace (kubebuilder names it <id>.<group>). */
export const LEADER_LEASE_NAME = 'autopilot-operator.autopilot-k8s.dev';

export interface OperatorOptions {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Called when this replica loses a lease it held: it must exit, as controller-runtime's do. */
  onLostLeadership?: () => void;
  registry?: Registry;
  /** Listen host of the probe/metrics port (default all interfaces). */
  host?: string;
}

export interface RunningOperator {
  /** The bound probe/metrics port (config.port, or the port picked when it is 0). */
  port: number;
  registry: Registry;
  isLeader(): boolean;
  stop(drainMs?: number): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { config, kubeConfig, logger } = options;
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });
  const recorder = new EventRecorder({ kubeConfig, logger, reportingInstance: config.podName });
  const { controller, informers } = helloWorldAppController({
    kubeConfig,
    config,
    logger,
    registry,
    recorder,
  });

  const server = new ProbeServer({ registry, logger });
  server.addHealthCheck('ping', () => true);
  server.addReadyCheck('informers-synced', () => informers.every((i) => i.hasSynced()));
  const port = await server.listen(config.port, options.host);
  for (const informer of informers) informer.start();

  let stopping = false;
  const startWorkers = async () => {
    await Promise.all(informers.map((i) => i.synced));
    if (!stopping) controller.start();
  };

  let elector: LeaderElector | undefined;
  if (config.leaderElect) {
    elector = new LeaderElector({
      lock: new KubeLeaseLock({ kubeConfig, namespace: config.podNamespace, name: LEADER_LEASE_NAME }),
      logger,
      identity: config.podName,
    });
    void elector.run({
      onStartedLeading: startWorkers,
      onStoppedLeading: () => {
        if (stopping) return;
        logger.error('lost the leader lease; exiting so that only one replica reconciles');
        options.onLostLeadership?.();
      },
      onNewLeader: (identity) => logger.info({ leader: identity }, 'leader observed'),
    });
  } else {
    void startWorkers();
  }

  return {
    port,
    registry,
    // Without leader election every replica reconciles.
    isLeader: () => elector?.isLeader() ?? true,
    async stop(drainMs = 25_000) {
      if (stopping) return;
      stopping = true;
      await controller.stop(drainMs);
      await elector?.stop();
      await Promise.all(informers.map((i) => i.stop()));
      await server.close();
    },
  };
}
