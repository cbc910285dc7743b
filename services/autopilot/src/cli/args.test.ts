import { describe, expect, it } from 'vitest';
import { normaliseGoFlags, parseCommandLine, UsageError } from './args.ts';

describe('normaliseGoFlags', () => {
  it('turns Go single-dash long flags into double-dash ones and leaves values alone', () => {
    expect(normaliseGoFlags(['-config', '-odd-but-a-value', '-ping', '-putenv=A=-1', '-h'])).toEqual([
      '--config',
      '-odd-but-a-value',
      '--ping',
      '--putenv=A=-1',
      '-h',
    ]);
  });

  it("understands Go's -bool=true and -bool=false", () => {
    expect(normaliseGoFlags(['-ping=true', '-reload=false'])).toEqual(['--ping']);
  });
});

describe('parseCommandLine', () => {
  it('reads -config in Go style, double-dash style and with =', () => {
    for (const argv of [
      ['-config', 'a.json5'],
      ['--config', 'a.json5'],
      ['-config=a.json5'],
      ['--config=a.json5'],
    ]) {
      expect(parseCommandLine(argv, {})).toEqual({ kind: 'run', configPath: 'a.json5' });
    }
  });

  it('falls back to $CONTAINERPILOT for the config path', () => {
    expect(parseCommandLine([], { CONTAINERPILOT: '/etc/cp.json5' })).toEqual({
      kind: 'run',
      configPath: '/etc/cp.json5',
    });
    expect(parseCommandLine(['-config', 'mine.json5'], { CONTAINERPILOT: '/etc/cp.json5' })).toMatchObject({
      configPath: 'mine.json5',
    });
  });

  it('collects repeated -putenv pairs, splitting at the first = only, a bare KEY clearing', () => {
    const command = parseCommandLine(
      ['-putenv', 'A=1', '-putenv', 'URL=http://x/?a=b', '--putenv', 'GONE'],
      {},
    );
    expect(command).toEqual({
      kind: 'client',
      configPath: undefined,
      request: { verb: 'putenv', values: { A: '1', URL: 'http://x/?a=b', GONE: '' } },
    });
  });

  it('collects repeated -putmetric pairs as numbers', () => {
    const command = parseCommandLine(['-putmetric', 'runs=2', '-putmetric', 'temp=-4.5'], {});
    expect(command).toMatchObject({ request: { verb: 'putmetric', values: { runs: 2, temp: -4.5 } } });
  });

  it('reads the other client verbs', () => {
    expect(parseCommandLine(['-ping'], {})).toMatchObject({ kind: 'client', request: { verb: 'ping' } });
    expect(parseCommandLine(['-reload'], {})).toMatchObject({ request: { verb: 'reload' } });
    expect(parseCommandLine(['-maintenance', 'enable'], {})).toMatchObject({
      request: { verb: 'maintenance', enabled: true },
    });
    expect(parseCommandLine(['-maintenance=disable'], {})).toMatchObject({
      request: { verb: 'maintenance', enabled: false },
    });
  });

  it('reads -version, -help, -validate and -template with -out', () => {
    expect(parseCommandLine(['-version'], {})).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-help'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-validate', '-config', 'c.json5'], {})).toEqual({
      kind: 'validate',
      configPath: 'c.json5',
    });
    expect(parseCommandLine(['-template', '-config', 'c.json5'], {})).toEqual({
      kind: 'template',
      configPath: 'c.json5',
      out: '-',
    });
    expect(parseCommandLine(['-template', '-out', 'r.json5', '-config', 'c.json5'], {})).toMatchObject({
      out: 'r.json5',
    });
  });

  it.each([
    [['-bogus'], "Unknown option '-bogus'"],
    [['-config'], "Option '-config <value>' argument missing"],
    [['stray'], "Unexpected argument 'stray'"],
    [['-maintenance', 'on'], '-maintenance takes "enable" or "disable", not "on"'],
    [['-putmetric', 'runs=lots'], '-putmetric "runs=lots": "lots" is not a number'],
    [['-putmetric', 'runs'], '-putmetric "runs": expected NAME=NUMBER'],
    [['-putenv', '=x'], '-putenv "=x": expected KEY=VALUE'],
    [['-ping', '-reload'], 'choose one of -reload, -ping'],
    [['-out', 'x.json5'], '-out only applies with -template'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError);
    expect(() => parseCommandLine(argv, {})).toThrow(message);
  });
});
