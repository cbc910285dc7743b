import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript on purpose (see init.js), so it carries no type declarations
import { exitCodeOf } from './init.js';

describe('the init', () => {
  it('decodes wait statuses the way shells report them', () => {
    expect(exitCodeOf(3 << 8)).toBe(3);
    expect(exitCodeOf(0)).toBe(0);
    expect(exitCodeOf(15)).toBe(143); // killed by SIGTERM
    expect(exitCodeOf(9)).toBe(137); // killed by SIGKILL
  });
});
