// The HelloWorldApp's condition types and reasons, with metav1.Condition semantics: a condition's
// lastTransitionTime moves only when its status flips.
import type { Condition } from '../../api/v1alpha1/types.ts';

export const ConditionType = {
  /** Every component rolled out and all its replicas ready. */
  Ready: 'Ready',
  /** A component is rolling out, scaling, or not yet created. */
  Progressing: 'Progressing',
  /** The operator cannot bring the app to its desired state, or a rollout is stuck. */
  Degraded: 'Degraded',
} as const;

export const Reason = {
  AllComponentsReady: 'AllComponentsReady',
  ComponentsNotReady: 'ComponentsNotReady',
  RollingOut: 'RollingOut',
  RolledOut: 'RolledOut',
  ApplyFailed: 'ApplyFailed',
  RolloutStuck: 'RolloutStuck',
  AsExpected: 'AsExpected',
} as const;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** Merges `next` into `previous`: keeps each condition's lastTransitionTime unless its status changed. */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  observedGeneration: number,
  now: Date,
): Condition[] {
  return next.map((condition) => {
    const before = previous?.find((c) => c.type === condition.type);
    const lastTransitionTime =
      before && before.status === condition.status ? before.lastTransitionTime : now.toISOString();
    return { ...condition, observedGeneration, lastTransitionTime };
  });
}
