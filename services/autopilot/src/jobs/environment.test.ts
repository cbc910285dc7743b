import { describe, expect, it } from 'vitest';
import { JobEnvironment, jobEnvName } from './environment.ts';

describe('the environment of child processes', () => {
  it('names per-job variables as ContainerPilot does: upper case, dashes as underscores', () => {
    expect(jobEnvName('hello-world', 'IP')).toBe('CONTAINERPILOT_HELLO_WORLD_IP');
    expect(jobEnvName('nginx', 'PID')).toBe('CONTAINERPILOT_NGINX_PID');
  });

  it('carries our env, putEnv values, our PID and job addresses; never our private plumbing', () => {
    const env = new JobEnvironment({ HOME: '/root', AUTOPILOT_WORKER: '1' }, 77);
    env.put({ FEATURE: 'on' });
    env.setJobIp('app', '10.0.0.5');
    env.setJobPid('nginx', 123);
    expect(env.forChild()).toEqual({
      HOME: '/root',
      FEATURE: 'on',
      CONTAINERPILOT_APP_IP: '10.0.0.5',
      CONTAINERPILOT_NGINX_PID: '123',
      CONTAINERPILOT_PID: '77',
    });
    env.setJobPid('nginx', undefined);
    expect(env.forChild().CONTAINERPILOT_NGINX_PID).toBeUndefined();
  });

  it('gives each child its own copy', () => {
    const env = new JobEnvironment({}, 1);
    const first = env.forChild();
    first.MUTATED = 'yes';
    expect(env.forChild().MUTATED).toBeUndefined();
  });
});
