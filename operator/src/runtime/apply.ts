// Server-side apply: send the whole desired object under our field manager and let the apiserver
// merge it, taking ownership of exactly the fields we set. The body is JSON, which is valid YAML, sent
// as application/apply-patch+yaml — the content type must be explicit (@kubernetes/client-node's
// patch calls answer 415 without it). An apply that changes nothing is not written, so re-applying
// the same desired state every reconcile does not bump resourceVersion or wake watchers.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { objectPath } from './discovery.ts';
import { kubeRequest } from './kube-http.ts';

export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';

export interface ApplyOptions {
  fieldManager: string;
  /** Take over fields another manager owns instead of failing with 409 (default true, as controllers do). */
  force?: boolean;
  /** Validate and return the result without persisting it. */
  dryRun?: boolean;
}

function applyBody(obj: KubernetesObject): KubernetesObject {
  if (!obj.metadata?.name) throw new Error(`cannot apply ${obj.kind ?? 'an object'} without metadata.name`);
  // The apiserver rejects an apply configuration that carries managedFields.
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

async function patch<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  obj: KubernetesObject,
  options: ApplyOptions,
): Promise<T> {
  return kubeRequest<T>(kc, {
    method: 'PATCH',
    path,
    query: {
      fieldManager: options.fieldManager,
      force: options.force ?? true,
      dryRun: options.dryRun ? 'All' : undefined,
    },
    body: applyBody(obj),
    contentType: APPLY_PATCH_CONTENT_TYPE,
  });
}

/** Creates or updates `obj` by server-side apply; resolves to the object as stored. */
export async function applyObject<T extends KubernetesObject>(
  kc: KubeConfig,
  obj: T,
  options: ApplyOptions,
): Promise<T> {
  return patch<T>(kc, await objectPath(kc, obj), obj, options);
}

/**
 * Applies `obj`'s status through the /status subresource (the main resource ignores status when a
 * CRD enables the subresource). Send apiVersion, kind, metadata.name/namespace and status only.
 */
export async function applyStatus<T extends KubernetesObject>(
  kc: KubeConfig,
  obj: T,
  fieldManager: string,
  options: Omit<ApplyOptions, 'fieldManager'> = {},
): Promise<T> {
  return patch<T>(kc, `${await objectPath(kc, obj)}/status`, obj, { ...options, fieldManager });
}
