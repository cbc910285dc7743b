import { describe, expect, it } from 'vitest';
import { formatDuration, parseConfigDuration, parseGoDuration } from './duration.ts';

describe('durations', () => {
  it.each([
    ['120s', 120_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m0.5s', 9_900_500],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['0', 0],
    ['-3s', -3000],
    ['.5s', 500],
  ])('parses Go duration %s', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['10', 'time: missing unit in duration "10"'],
    ['3d', 'time: unknown unit "d" in duration "3d"'],
    ['s', 'time: invalid duration "s"'],
    ['1.s2', 'time: missing unit in duration "1.s2"'],
    ['+.s', 'time: invalid duration "+.s"'],
    ['1..2s', 'time: missing unit in duration "1..2s"'],
  ])('rejects %j like Go', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });

  it('reads plain numbers and digit strings as seconds, as ContainerPilot does', () => {
    expect(parseConfigDuration(10)).toBe(10_000);
    expect(parseConfigDuration('10')).toBe(10_000);
    expect(parseConfigDuration(' 5s ')).toBe(5000);
    expect(() => parseConfigDuration(true)).toThrow('expected a duration');
  });

  it('formats like Go for messages', () => {
    expect([0, 500, 1500, 90_000, 3_600_000, 0.5].map(formatDuration)).toEqual([
      '0s',
      '500ms',
      '1.5s',
      '1m30s',
      '1h0m0s',
      '0.5ms',
    ]);
  });
});
