import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { InformerHandlers } from './informer.ts';
import {
  anyOf,
  controllerOwnerKey,
  generationChanged,
  labelsChanged,
  ownKey,
  watchEvents,
} from './watches.ts';

type Obj = KubernetesObject;

function emitter() {
  const handlers: Partial<{ [E in keyof InformerHandlers<Obj>]: InformerHandlers<Obj>[E] }> = {};
  return {
    on<E extends keyof InformerHandlers<Obj>>(event: E, handler: InformerHandlers<Obj>[E]) {
      handlers[event] = handler as never;
    },
    add: (o: Obj) => handlers.add!(o),
    update: (a: Obj, b: Obj, resync = false) => handlers.update!(a, b, resync),
    delete: (o: Obj) => handlers.delete!(o),
  };
}

const owned = (
  name: string,
  owner: string,
  kind = 'HelloWorldApp',
  apiVersion = 'autopilot-k8s.dev/v1alpha1',
): Obj => ({
  metadata: {
    name,
    namespace: 'ns',
    ownerReferences: [
      { apiVersion: 'v1', kind: 'Other', name: 'not-the-controller', uid: 'u0' },
      { apiVersion, kind, name: owner, uid: 'u1', controller: true },
    ],
  },
});
const app = (generation: number, labels: Record<string, string> = {}): Obj => ({
  metadata: { name: 'app', namespace: 'ns', generation, labels },
});

describe('watches', () => {
  it('maps a child to its controller owner of the given kind and group only', () => {
    const toOwner = controllerOwnerKey('HelloWorldApp', 'autopilot-k8s.dev');
    expect(toOwner(owned('app-hello', 'app'))).toEqual(['ns/app']);
    expect(toOwner(owned('x', 'app', 'ReplicaSet', 'apps/v1'))).toEqual([]);
    expect(toOwner(owned('x', 'app', 'HelloWorldApp', 'other.dev/v1'))).toEqual([]);
    expect(toOwner({ metadata: { name: 'orphan', namespace: 'ns' } })).toEqual([]);
    expect(ownKey({ metadata: { name: 'cluster-wide' } })).toEqual(['cluster-wide']);
  });

  it('the generation predicate skips status-only updates but passes spec changes and resyncs', () => {
    expect(generationChanged(app(1), app(1), false)).toBe(false);
    expect(generationChanged(app(1), app(2), false)).toBe(true);
    expect(generationChanged(app(1), app(1), true)).toBe(true);
    expect(anyOf(generationChanged, labelsChanged)(app(1), app(1, { tier: 'web' }), false)).toBe(true);
  });

  it('enqueues on add and delete always, on update only when the predicate passes, old and new owners', () => {
    const source = emitter();
    const keys: string[] = [];
    watchEvents(source, ownKey, (k) => keys.push(k), generationChanged);
    source.add(app(1));
    source.update(app(1), app(1));
    source.update(app(1), app(2));
    source.update(app(2), app(2), true);
    source.delete(app(2));
    expect(keys).toEqual(['ns/app', 'ns/app', 'ns/app', 'ns/app']);

    const ownerKeys: string[] = [];
    const children = emitter();
    watchEvents(children, controllerOwnerKey('HelloWorldApp'), (k) => ownerKeys.push(k));
    children.update(owned('c', 'first'), owned('c', 'second'));
    expect(ownerKeys).toEqual(['ns/first', 'ns/second']);
  });
});
