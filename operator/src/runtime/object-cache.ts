// The informer's store: objects by namespace/name, plus an index from a controller owner's UID to the
// objects it controls, so a reconciler finds a custom resource's children without listing them all.
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';

/** The work-queue key of an object: "namespace/name", or "name" when cluster-scoped. */
export function objectKey(obj: KubernetesObject): string {
  const { namespace, name } = obj.metadata ?? {};
  if (!name) throw new Error(`object without metadata.name: ${JSON.stringify(obj).slice(0, 200)}`);
  return keyOf(namespace, name);
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The ownerReference marked controller: true, if any. */
export function controllerOf(obj: KubernetesObject): V1OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

export class ObjectCache<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly owned = new Map<string, Set<string>>();

  get size(): number {
    return this.objects.size;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(keyOf(namespace, name));
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** All objects, or those of one namespace. */
  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((obj) => obj.metadata?.namespace === namespace);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** Objects whose controller ownerReference points at `uid`. */
  byOwner(uid: string): T[] {
    return [...(this.owned.get(uid) ?? [])].map((key) => this.objects.get(key)!);
  }

  /** Stores `obj` and returns what it replaced. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const previous = this.objects.get(key);
    if (previous) this.unindex(key, previous);
    this.objects.set(key, obj);
    const owner = controllerOf(obj)?.uid;
    if (owner) {
      if (!this.owned.has(owner)) this.owned.set(owner, new Set());
      this.owned.get(owner)!.add(key);
    }
    return previous;
  }

  /** Removes the object under `key` and returns it. */
  delete(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.unindex(key, previous);
    this.objects.delete(key);
    return previous;
  }

  private unindex(key: string, obj: T): void {
    const owner = controllerOf(obj)?.uid;
    const keys = owner ? this.owned.get(owner) : undefined;
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.owned.delete(owner!);
  }
}
