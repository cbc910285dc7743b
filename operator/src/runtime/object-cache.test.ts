import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ObjectCache, controllerOf, objectKey, splitKey } from './object-cache.ts';

const child = (name: string, owner?: string, namespace = 'ns'): KubernetesObject => ({
  metadata: {
    name,
    namespace,
    ownerReferences: owner
      ? [{ apiVersion: 'v1', kind: 'Owner', name: owner, uid: `uid-${owner}`, controller: true }]
      : [],
  },
});

describe('ObjectCache', () => {
  it('keys objects by namespace/name, or name when cluster-scoped, and splits keys back', () => {
    expect(objectKey(child('a'))).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('node-1')).toEqual({ namespace: undefined, name: 'node-1' });
    expect(() => objectKey({ metadata: {} })).toThrow(/metadata.name/);
  });

  it('finds objects by key, by namespace, and by controller owner UID through changes of owner', () => {
    const cache = new ObjectCache<KubernetesObject>();
    cache.set(child('a', 'x'));
    cache.set(child('b', 'x'));
    cache.set(child('c', undefined, 'other'));
    expect(cache.get('ns', 'a')?.metadata?.name).toBe('a');
    expect(cache.list('other').map((o) => o.metadata!.name)).toEqual(['c']);
    expect(cache.list()).toHaveLength(3);
    expect(cache.byOwner('uid-x').map((o) => o.metadata!.name)).toEqual(['a', 'b']);

    const previous = cache.set(child('a', 'y'));
    expect(controllerOf(previous!)?.name).toBe('x');
    expect(cache.byOwner('uid-x').map((o) => o.metadata!.name)).toEqual(['b']);
    expect(cache.byOwner('uid-y').map((o) => o.metadata!.name)).toEqual(['a']);
    expect(cache.delete('ns/b')?.metadata?.name).toBe('b');
    expect(cache.byOwner('uid-x')).toEqual([]);
    expect(cache.delete('ns/b')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('only a controller: true reference counts as the owner', () => {
    const obj: KubernetesObject = {
      metadata: { name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u' }] },
    };
    expect(controllerOf(obj)).toBeUndefined();
    const cache = new ObjectCache<KubernetesObject>();
    cache.set(obj);
    expect(cache.byOwner('u')).toEqual([]);
  });
});
