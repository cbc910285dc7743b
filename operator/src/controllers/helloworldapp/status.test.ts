import { describe, expect, it } from 'vitest';
import { computeStatus } from './status.ts';
import { aDeployment, anApp } from './testing/fixtures.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const condition = (status: ReturnType<typeof computeStatus>, type: string) =>
  status.conditions!.find((c) => c.type === type)!;

const allRolledOut = {
  consul: aDeployment('demo-consul', 'consul', 1),
  hello: aDeployment('demo-hello', 'hello', 3),
  world: aDeployment('demo-world', 'world', 2),
  nginx: aDeployment('demo-nginx', 'nginx', 1),
};

describe('the status of a HelloWorldApp', () => {
  it('is not ready before its Deployments exist, and says which are missing', () => {
    const status = computeStatus(anApp(), { deployments: {} }, t0);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'ComponentsNotReady' });
    expect(condition(status, 'Ready').message).toContain('demo-hello not created');
    expect(condition(status, 'Progressing').status).toBe('True');
    expect(status.observedGeneration).toBe(1);
  });

  it('is ready once every component rolled out, with replica counts per component', () => {
    const status = computeStatus(anApp(), { deployments: allRolledOut }, t0);
    expect(condition(status, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'AllComponentsReady',
      observedGeneration: 1,
    });
    expect(condition(status, 'Progressing').status).toBe('False');
    expect(condition(status, 'Degraded').status).toBe('False');
    expect(status.hello).toEqual({ replicas: 3, readyReplicas: 3 });
    expect(status.url).toBe('http://demo-nginx.shop.svc');
  });

  it('counts a scale-up as progressing until the new replicas are ready', () => {
    const deployments = { ...allRolledOut, hello: aDeployment('demo-hello', 'hello', 10, 4) };
    const status = computeStatus(anApp(), { deployments }, t0);
    expect(condition(status, 'Ready').status).toBe('False');
    expect(condition(status, 'Progressing').message).toBe('hello 4/10 ready');
  });

  it('keeps lastTransitionTime while a condition holds and moves it when it flips', () => {
    const app = anApp();
    app.status = computeStatus(app, { deployments: allRolledOut }, t0);
    const same = computeStatus(app, { deployments: allRolledOut }, t1);
    expect(condition(same, 'Ready').lastTransitionTime).toBe(t0.toISOString());
    const flipped = computeStatus(app, { deployments: {} }, t1);
    expect(condition(flipped, 'Ready').lastTransitionTime).toBe(t1.toISOString());
  });

  it('is degraded when applying failed or a rollout passed its deadline', () => {
    const failed = computeStatus(anApp(), { deployments: allRolledOut, applyError: 'forbidden' }, t0);
    expect(condition(failed, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ApplyFailed',
      message: 'forbidden',
    });
    expect(condition(failed, 'Ready').status).toBe('False');

    const stuck = aDeployment('demo-world', 'world', 2, 0);
    stuck.status!.conditions = [
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "w" has timed out progressing.',
      },
    ];
    const status = computeStatus(anApp(), { deployments: { ...allRolledOut, world: stuck } }, t0);
    expect(condition(status, 'Degraded')).toMatchObject({ status: 'True', reason: 'RolloutStuck' });
    expect(condition(status, 'Degraded').message).toContain('demo-world');
  });

  it('leaves Consul out when the app uses an external agent', () => {
    const { consul: _consul, ...withoutConsul } = allRolledOut;
    const status = computeStatus(
      anApp('demo', { consul: { address: 'consul.infra:8500' } }),
      { deployments: withoutConsul },
      t0,
    );
    expect(condition(status, 'Ready').status).toBe('True');
    expect(status).not.toHaveProperty('consul');
  });
});
