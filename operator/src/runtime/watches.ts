// How watched objects turn into work-queue keys: an object maps to its own key (the primary
// resource) or to the key of the object that controls it (a child mapped back to its owner), and
// predicates drop update events a controller does not care about.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { InformerHandlers } from './informer.ts';
import { controllerOf, keyOf, objectKey } from './object-cache.ts';

/** Anything that emits informer events; an Informer is one. */
export interface EventSource<T> {
  on<E extends keyof InformerHandlers<T>>(event: E, handler: InformerHandlers<T>[E]): unknown;
}

/** Maps an object to the keys to reconcile. */
export type KeyMapper<T> = (obj: T) => string[];

/** Decides whether an update event is worth a reconcile. */
export type UpdatePredicate<T> = (oldObj: T, newObj: T, resync: boolean) => boolean;

/** The object's own "namespace/name" key. */
export const ownKey: KeyMapper<KubernetesObject> = (obj) => [objectKey(obj)];

function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The key of the object's controller, when that is a `kind` of `apiGroup` (like controller-runtime's
 * EnqueueRequestForOwner with OnlyControllerOwner). Owners live in their child's namespace.
 */
export function controllerOwnerKey(kind: string, apiGroup?: string): KeyMapper<KubernetesObject> {
  return (obj) => {
    const ref = controllerOf(obj);
    if (!ref || ref.kind !== kind) return [];
    if (apiGroup !== undefined && apiGroupOf(ref.apiVersion) !== apiGroup) return [];
    return [keyOf(obj.metadata?.namespace, ref.name)];
  };
}

/**
 * Passes updates that changed metadata.generation — spec changes, deletion — and skips status-only
 * and metadata-only writes (our own status updates would otherwise trigger a reconcile each).
 * Periodic resyncs always pass: they exist to re-check objects that did not change.
 */
export const generationChanged: UpdatePredicate<KubernetesObject> = (oldObj, newObj, resync) =>
  resync || oldObj.metadata?.generation !== newObj.metadata?.generation;

/** Passes when any of the predicates passes (e.g. generation or labels changed). */
export function anyOf<T>(...predicates: UpdatePredicate<T>[]): UpdatePredicate<T> {
  return (oldObj, newObj, resync) => predicates.some((p) => p(oldObj, newObj, resync));
}

/** Passes when the object's labels changed. */
export const labelsChanged: UpdatePredicate<KubernetesObject> = (oldObj, newObj) =>
  JSON.stringify(oldObj.metadata?.labels ?? {}) !== JSON.stringify(newObj.metadata?.labels ?? {});

/**
 * Subscribes to `source` and calls `enqueue` for every key its events map to: adds and deletes
 * always, updates when `predicate` passes (for both old and new mappings, so a child that changed
 * owner reaches both).
 */
export function watchEvents<T>(
  source: EventSource<T>,
  toKeys: KeyMapper<T>,
  enqueue: (key: string) => void,
  predicate?: UpdatePredicate<T>,
): void {
  const each = (keys: Iterable<string>) => {
    for (const key of keys) enqueue(key);
  };
  source.on('add', (obj) => each(toKeys(obj)));
  source.on('update', (oldObj, newObj, resync) => {
    if (predicate && !predicate(oldObj, newObj, resync)) return;
    each(new Set([...toKeys(oldObj), ...toKeys(newObj)]));
  });
  source.on('delete', (obj) => each(toKeys(obj)));
}
