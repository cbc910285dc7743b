import { describe, expect, it } from 'vitest';
import { configFuncs, loop } from './config-funcs.ts';
import { render } from './template.ts';

/** Renders like ContainerPilot renders its config: the environment is the data, missing keys are empty. */
const renderConfig = (src: string, env: Record<string, string>): string =>
  render(src, env, { funcs: configFuncs(env), missingKey: 'zero' });

// Rows rendered by Go 1.26 text/template with ContainerPilot's function table (config/template/template.go).
const GO_VERIFIED: [template: string, env: Record<string, string>, goOutput: string, missingKey: string][] = [
  [
    '{{- range $i := loop 3 }}{{ $i }}{{ end }}|{{ range loop 5 8 }}{{ . }}{{ end }}|{{ range loop 5 1 }}{{ . }}{{ end }}|{{ range loop "2" }}{{ . }}{{ end }}',
    {},
    '012|567|5432|01',
    'default',
  ],
  [
    '{{ .HOST | default "localhost" }} {{ .PORT | default 8080 }} {{ .SET | default "x" }}',
    { SET: 'set' },
    'localhost 8080 set',
    'default',
  ],
  [
    '{{ env "HOME" }} {{ .MISSING }}|{{ split "," .LIST }} {{ len (split "," .EMPTY) }} {{ .LIST | split "," | join ";" }}',
    { HOME: '/root', LIST: 'a,b,c', EMPTY: '  ' },
    '/root <no value>|[a b c] 0 a;b;c',
    'default',
  ],
  [
    '{{ replaceAll "-" "_" .N }} {{ regexReplaceAll "([a-z]+)-(\\\\d+)" "${2}:$1" .N }} {{ regexReplaceAll "(?i)ABC" "x" "abcABC" }}',
    { N: 'host-12' },
    'host_12 12:host xx',
    'default',
  ],
  ['{{ .KV }}', { KV: 'a=b=c' }, 'a=b=c', 'default'],
  [
    '{{ range $i := loop 2 }}{ name: "job-{{ $i }}" },{{ end }}',
    {},
    '{ name: "job-0" },{ name: "job-1" },',
    'default',
  ],
  ['{{ range loop 0 }}x{{ else }}none{{ end }}{{ range loop 3 3 }}y{{ end }}', {}, 'none', 'default'],
  ['{{ default "d" .NOPE }}-{{ default "d" "" }}-{{ default 5 "" }}', {}, 'd-d-5', 'default'],
  ['{{ .A }}{{ .B }}', { A: 'x' }, 'x', 'zero'],
  ['{{ if .UNSET }}set{{ else }}unset{{ end }}', {}, 'unset', 'zero'],
];

describe("ContainerPilot's config template functions", () => {
  it.each(GO_VERIFIED)('renders %j exactly as ContainerPilot does', (src, env, goOutput, missingKey) => {
    const options = { funcs: configFuncs(env), missingKey: missingKey as 'zero' | 'default' };
    expect(render(src, env, options)).toBe(goOutput);
  });

  it('renders a missing environment variable as the empty string', () => {
    expect(renderConfig('consul: "{{ .CONSUL }}:8500"', {})).toBe('consul: ":8500"');
  });

  it('keeps values that contain "=" whole (ContainerPilot #573 truncated them)', () => {
    expect(renderConfig('{{ .OPTS }}|{{ env "OPTS" }}', { OPTS: '--flag=a=b' })).toBe(
      '--flag=a=b|--flag=a=b',
    );
  });

  it('loops up, down, from strings, and rejects a wrong number of arguments', () => {
    expect(loop(3)).toEqual([0, 1, 2]);
    expect(loop(5, 8)).toEqual([5, 6, 7]);
    expect(loop(5, 1)).toEqual([5, 4, 3, 2]);
    expect(loop('2', '4')).toEqual([2, 3]);
    expect(loop(-2)).toEqual([0, -1]);
    expect(() => loop()).toThrow('loop: wrong number of arguments, expected 1 or 2, but got 0');
    expect(() => loop('x')).toThrow('strconv.Atoi: parsing "x": invalid syntax');
  });

  it('generates jobs with range over loop, as ContainerPilot configs do', () => {
    const src =
      '[{{ range $i := loop 0 (len (split "," .WORKERS)) }}{{ if $i }},{{ end }}"w{{ $i }}"{{ end }}]';
    expect(JSON.parse(renderConfig(src, { WORKERS: 'a,b,c' }))).toEqual(['w0', 'w1', 'w2']);
  });

  it('translates Go regexp syntax: named groups, ${name} and $1 in replacements', () => {
    const src = '{{ regexReplaceAll "(?P<host>[a-z]+):(?P<port>\\\\d+)" "${port}@${host}/$1" .ADDR }}';
    expect(renderConfig(src, { ADDR: 'consul:8500' })).toBe('8500@consul/consul');
  });

  it('reports a broken regular expression with the call position', () => {
    expect(() => renderConfig('\n{{ regexReplaceAll "(" "" "x" }}', {})).toThrow(
      /^template:2:4: error calling regexReplaceAll: error parsing regexp/,
    );
  });

  it('rejects non-string arguments where Go would', () => {
    expect(() => renderConfig('{{ split "," 5 }}', {})).toThrow(
      'split: wrong type for value; expected string; got int',
    );
  });

  it('reads env from the injected environment, not from process.env', () => {
    expect(renderConfig('[{{ env "PATH" }}]', { HOME: '/h' })).toBe('[]');
  });
});
