import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { KubeApiError } from './kube-http.ts';
import { LeaderElector, type LeaderCallbacks } from './leader-election.ts';
import type { Lease, LeaseLock, LeaseSpec } from './lease-lock.ts';

const logger = pino({ level: 'silent' });

/** One lease in memory with the apiserver's optimistic concurrency; `down` makes every call fail. */
class MemoryLeaseStore {
  lease: Lease | undefined;
  down = new Set<string>();
  private version = 0;

  lockFor(caller: string): LeaseLock {
    const check = () => {
      if (this.down.has(caller)) throw new Error(`${caller}: apiserver unreachable`);
    };
    return {
      namespace: 'ops',
      name: 'operator-lock',
      get: async () => {
        check();
        return this.lease && structuredClone(this.lease);
      },
      create: async (spec: LeaseSpec) => {
        check();
        if (this.lease) throw new KubeApiError(409, { reason: 'AlreadyExists' }, 'create');
        return this.write(spec);
      },
      update: async (current: Lease, spec: LeaseSpec) => {
        check();
        if (current.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
          throw new KubeApiError(409, { reason: 'Conflict' }, 'update');
        return this.write(spec);
      },
    };
  }

  private write(spec: LeaseSpec): Lease {
    this.lease = {
      metadata: { name: 'operator-lock', namespace: 'ops', resourceVersion: String(++this.version) },
      spec,
    };
    return structuredClone(this.lease);
  }
}

function contender(store: MemoryLeaseStore, identity: string, clock: FakeClock) {
  const elector = new LeaderElector({
    lock: store.lockFor(identity),
    logger,
    identity,
    clock,
    random: () => 0,
  });
  const log: string[] = [];
  let signal: AbortSignal | undefined;
  const callbacks: LeaderCallbacks = {
    onStartedLeading: (s) => {
      signal = s;
      log.push('started');
    },
    onStoppedLeading: () => log.push('stopped'),
  };
  const done = elector.run(callbacks);
  return { elector, log, done, signal: () => signal };
}

describe('LeaderElector', () => {
  it('creates the lease and leads; a second contender waits; after release it takes over at once', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = contender(store, 'a', clock);
    await clock.advanceAsync(10);
    expect(a.elector.isLeader()).toBe(true);
    expect(store.lease!.spec).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
    expect(store.lease!.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const b = contender(store, 'b', clock);
    await clock.advanceAsync(60_000, 500);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(b.elector.leader).toBe('a');
    const acquiredAt = store.lease!.spec.acquireTime;
    expect(store.lease!.spec.renewTime).not.toBe(acquiredAt);

    await a.elector.stop();
    await a.done;
    expect(a.log).toEqual(['started', 'stopped']);
    expect(a.signal()!.aborted).toBe(true);
    expect(store.lease!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });

    await clock.advanceAsync(5_000, 500);
    expect(b.elector.isLeader()).toBe(true);
    expect(store.lease!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.elector.stop();
  });

  it('takes over a lease whose holder vanished once the record stood still for leaseDuration', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const a = contender(store, 'a', clock);
    await clock.advanceAsync(10);
    store.down.add('a'); // a loses the apiserver: renewals stop, the lease stays as it was
    const b = contender(store, 'b', clock);
    await clock.advanceAsync(10_000, 500);
    expect(b.elector.isLeader()).toBe(false);
    await clock.advanceAsync(10_000, 500);
    expect(b.elector.isLeader()).toBe(true);
    expect(store.lease!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a gave up once its renew deadline passed, before b could take over.
    await a.done;
    expect(a.log).toEqual(['started', 'stopped']);
    expect(a.signal()!.aborted).toBe(true);
    await b.elector.stop();
  });

  it('of many contenders exactly one leads at any moment', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const contenders = ['a', 'b', 'c', 'd'].map((id) => contender(store, id, clock));
    for (let step = 0; step < 40; step++) {
      await clock.advanceAsync(1000, 250);
      expect(contenders.filter((c) => c.elector.isLeader()).length).toBeLessThanOrEqual(1);
      if (step === 20) await contenders.find((c) => c.elector.isLeader())!.elector.stop();
    }
    expect(contenders.filter((c) => c.elector.isLeader())).toHaveLength(1);
    expect(store.lease!.spec.leaseTransitions).toBe(1);
    for (const c of contenders) await c.elector.stop();
    expect(contenders.filter((c) => c.log.includes('started'))).toHaveLength(2);
  });

  it('refuses timings where the lease would expire before renewal gives up', () => {
    const lock = new MemoryLeaseStore().lockFor('x');
    expect(
      () => new LeaderElector({ lock, logger, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
    ).toThrow(/exceed/);
  });
});
