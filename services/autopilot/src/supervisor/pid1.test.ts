import { describe, expect, it } from 'vitest';
import { shouldActAsPid1 } from './pid1.ts';

describe('when autopilot acts as init', () => {
  it('does as PID 1, and when asked to be a subreaper', () => {
    expect(shouldActAsPid1({}, 1)).toBe(true);
    expect(shouldActAsPid1({ AUTOPILOT_SUBREAPER: '1' }, 4321)).toBe(true);
    expect(shouldActAsPid1({}, 4321)).toBe(false);
  });

  it('never in the worker it spawned', () => {
    expect(shouldActAsPid1({ AUTOPILOT_WORKER: '1' }, 1)).toBe(false);
    expect(shouldActAsPid1({ AUTOPILOT_WORKER: '1', AUTOPILOT_SUBREAPER: '1' }, 4321)).toBe(false);
  });
});
