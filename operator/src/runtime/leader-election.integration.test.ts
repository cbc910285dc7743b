// Two replicas contending for one Lease on a real kube-apiserver: optimistic concurrency there is
// what keeps them from both leading.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { Envtest } from '../../../test/support/envtest.ts';
import { LeaderElector } from './leader-election.ts';
import { KubeLeaseLock } from './lease-lock.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let envtest: Envtest;

beforeAll(async () => {
  envtest = await Envtest.start();
});
afterAll(async () => {
  await envtest?.stop();
});

function replica(identity: string) {
  const lock = new KubeLeaseLock({
    kubeConfig: envtest.kubeConfig(),
    namespace: 'default',
    name: 'operator-lock',
  });
  // Short timings keep the test quick; the algorithm is the same as with 15/10/2 s.
  const elector = new LeaderElector({
    lock,
    logger,
    identity,
    leaseDurationMs: 4000,
    renewDeadlineMs: 3000,
    retryPeriodMs: 300,
  });
  const log: string[] = [];
  const done = elector.run({
    onStartedLeading: () => void log.push('started'),
    onStoppedLeading: () => void log.push('stopped'),
  });
  return { elector, lock, log, done };
}

describe('LeaderElector against a real apiserver', () => {
  it('one replica leads at a time; the other takes over once the leader releases the lease', async () => {
    const a = replica('replica-a');
    const b = replica('replica-b');
    let bothLed = false;
    const watcher = setInterval(() => (bothLed ||= a.elector.isLeader() && b.elector.isLeader()), 10);
    try {
      const first = await eventually(() => [a, b].find((r) => r.elector.isLeader()) ?? false, 'a leader');
      const second = first === a ? b : a;
      const lease = (await first.lock.get())!;
      expect(lease.spec).toMatchObject({
        holderIdentity: first.elector.identity,
        leaseDurationSeconds: 4,
        leaseTransitions: 0,
      });
      await eventually(
        () => second.elector.leader === first.elector.identity,
        'the follower to observe the leader',
      );
      // The leader keeps renewing: renewTime moves while the follower still waits.
      await eventually(
        async () => (await first.lock.get())!.spec.renewTime !== lease.spec.renewTime,
        'a renewal',
      );
      expect(second.elector.isLeader()).toBe(false);

      await first.elector.stop();
      await first.done;
      expect(first.log).toEqual(['started', 'stopped']);
      await eventually(() => second.elector.isLeader(), 'the follower to take over');
      const taken = (await second.lock.get())!;
      expect(taken.spec).toMatchObject({ holderIdentity: second.elector.identity, leaseTransitions: 1 });
      await second.elector.stop();
      expect((await second.lock.get())!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    } finally {
      clearInterval(watcher);
      await a.elector.stop();
      await b.elector.stop();
    }
    expect(bothLed).toBe(false);
  });
});
