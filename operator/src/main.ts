// The operator's entry point: settings from the environment (the Helm chart sets them), credentials
// from the pod's service account (or $KUBECONFIG outside a cluster), JSON logs on stdout (pipe them
// through `npx pino-pretty` to read them). SIGTERM drains reconciles in flight and releases the lease.
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { readConfig } from './config.ts';
import { startOperator } from './manager.ts';

const bootLogger = pino({ name: 'autopilot-operator' }, pino.destination({ fd: 1, sync: true }));

async function main(): Promise<void> {
  const config = readConfig();
  const logger = bootLogger.child({}, { level: config.logLevel });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  logger.info(
    {
      server: kubeConfig.getCurrentCluster()?.server,
      watchNamespace: config.watchNamespace || '(all)',
      leaderElect: config.leaderElect,
      images: config.images,
    },
    'starting the HelloWorldApp operator',
  );
  const operator = await startOperator({
    config,
    kubeConfig,
    logger,
    // Another replica leads now: stop at once rather than drain, as controller-runtime does.
    onLostLeadership: () => void shutdown(1, 0),
  });

  let exiting = false;
  async function shutdown(code: number, drainMs?: number): Promise<void> {
    if (exiting) return;
    exiting = true;
    logger.info({ code }, 'shutting down');
    // Past the pod's grace period the kubelet kills us anyway; leave the lease released before that.
    const deadline = setTimeout(() => process.exit(code || 1), 28_000);
    deadline.unref();
    try {
      await operator.stop(drainMs);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      code ||= 1;
    }
    process.exit(code);
  }
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
}

main().catch((error: unknown) => {
  bootLogger.fatal({ err: error }, 'the operator could not start');
  process.exit(1);
});
