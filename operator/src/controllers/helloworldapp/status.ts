// The HelloWorldApp's status, computed purely from the app, its Deployments as the cache last saw them,
// and the outcome of the last apply. Ready means every component has rolled out: the page can answer.
import type { V1Deployment } from '@kubernetes/client-node';
import type { ComponentStatus, HelloWorldApp, HelloWorldAppStatus } from '../../api/v1alpha1/types.ts';
import { ConditionType, Reason, mergeConditions, type ConditionInput } from './conditions.ts';
import { activeComponents } from './desired.ts';
import { childName, type Component } from './names.ts';

export interface Observed {
  /** The app's Deployments by component; a missing one is not created yet. */
  deployments: Partial<Record<Component, V1Deployment>>;
  /** Set when applying the desired state failed on this pass. */
  applyError?: string;
}

function componentStatus(deployment: V1Deployment | undefined): ComponentStatus {
  return { replicas: deployment?.spec?.replicas ?? 0, readyReplicas: deployment?.status?.readyReplicas ?? 0 };
}

/** kubectl rollout status's rule: the controller saw the latest spec and every replica is updated and available. */
function rolledOut(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.readyReplicas ?? 0) === want
  );
}

function stuck(d: V1Deployment): string | undefined {
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return `${d.metadata?.name}: ${progressing.message ?? 'progress deadline exceeded'}`;
  }
  const failure = d.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  return failure ? `${d.metadata?.name}: ${failure.message ?? failure.reason}` : undefined;
}

export function computeStatus(app: HelloWorldApp, observed: Observed, now: Date): HelloWorldAppStatus {
  const generation = app.metadata?.generation ?? 0;
  const components = activeComponents(app);
  const pending: string[] = [];
  const stuckRollouts: string[] = [];
  for (const component of components) {
    const d = observed.deployments[component];
    if (!d) {
      pending.push(`${childName(app, component)} not created`);
      continue;
    }
    if (!rolledOut(d)) {
      const { replicas, readyReplicas } = componentStatus(d);
      pending.push(`${component} ${readyReplicas}/${replicas} ready`);
    }
    const why = stuck(d);
    if (why) stuckRollouts.push(why);
  }
  const ready = pending.length === 0 && !observed.applyError;
  const conditions: ConditionInput[] = [
    ready
      ? {
          type: ConditionType.Ready,
          status: 'True',
          reason: Reason.AllComponentsReady,
          message: 'every component is ready',
        }
      : {
          type: ConditionType.Ready,
          status: 'False',
          reason: Reason.ComponentsNotReady,
          message: pending.join(', ') || 'waiting for the desired state to apply',
        },
    pending.length > 0
      ? {
          type: ConditionType.Progressing,
          status: 'True',
          reason: Reason.RollingOut,
          message: pending.join(', '),
        }
      : {
          type: ConditionType.Progressing,
          status: 'False',
          reason: Reason.RolledOut,
          message: 'every component rolled out',
        },
    observed.applyError
      ? {
          type: ConditionType.Degraded,
          status: 'True',
          reason: Reason.ApplyFailed,
          message: observed.applyError,
        }
      : stuckRollouts.length > 0
        ? {
            type: ConditionType.Degraded,
            status: 'True',
            reason: Reason.RolloutStuck,
            message: stuckRollouts.join('; '),
          }
        : {
            type: ConditionType.Degraded,
            status: 'False',
            reason: Reason.AsExpected,
            message: 'no failures',
          },
  ];
  const { port } = app.spec.nginx.service;
  const status: HelloWorldAppStatus = {
    observedGeneration: generation,
    conditions: mergeConditions(app.status?.conditions, conditions, generation, now),
    url: `http://${childName(app, 'nginx')}.${app.metadata?.namespace}.svc${port === 80 ? '' : `:${port}`}`,
  };
  for (const component of components) status[component] = componentStatus(observed.deployments[component]);
  return status;
}
