// REST paths for objects known only by apiVersion and kind: the resource name (plural) and scope come
// from API discovery, cached per KubeConfig and group version, refreshed when a kind is missing (a
// CRD installed after the first lookup).
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { kubeRequest } from './kube-http.ts';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: ApiResource[];
}

const cache = new WeakMap<KubeConfig, Map<string, Promise<ApiResource[]>>>();

/** /api/v1 for the core group, /apis/<group>/<version> for the others. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function fetchResources(kc: KubeConfig, apiVersion: string): Promise<ApiResource[]> {
  return kubeRequest<ApiResourceList>(kc, { path: groupVersionPath(apiVersion) }).then((list) =>
    (list.resources ?? []).filter((r) => !r.name.includes('/')),
  );
}

/** The resource (plural name, scope) that serves `kind` in `apiVersion`. */
export async function resourceFor(kc: KubeConfig, apiVersion: string, kind: string): Promise<ApiResource> {
  let byVersion = cache.get(kc);
  if (!byVersion) cache.set(kc, (byVersion = new Map()));
  for (const fresh of [false, true]) {
    let pending = byVersion.get(apiVersion);
    if (!pending || fresh) {
      pending = fetchResources(kc, apiVersion);
      byVersion.set(apiVersion, pending);
      // A failed lookup must not stay cached.
      pending.catch(() => byVersion.delete(apiVersion));
    }
    const found = (await pending).find((r) => r.kind === kind);
    if (found) return found;
  }
  throw new Error(`the apiserver serves no kind ${kind} in ${apiVersion}`);
}

/**
 * The REST path of `obj` (of its collection when it has no name): e.g.
 * /apis/apps/v1/namespaces/demo/deployments/web. Namespaced objects need metadata.namespace.
 */
export async function objectPath(kc: KubeConfig, obj: KubernetesObject): Promise<string> {
  const { apiVersion, kind, metadata } = obj;
  if (!apiVersion || !kind) throw new Error('object needs apiVersion and kind to find its path');
  const resource = await resourceFor(kc, apiVersion, kind);
  let path = groupVersionPath(apiVersion);
  if (resource.namespaced) {
    if (!metadata?.namespace)
      throw new Error(`${kind} ${metadata?.name ?? ''} is namespaced but has no namespace`);
    path += `/namespaces/${encodeURIComponent(metadata.namespace)}`;
  }
  path += `/${resource.name}`;
  if (metadata?.name) path += `/${encodeURIComponent(metadata.name)}`;
  return path;
}
