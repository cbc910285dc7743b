import { describe, expect, it } from 'vitest';
import { parseConfigText } from './parse.ts';

describe('parsing config text', () => {
  it('reports a JSON5 syntax error at its line and column', () => {
    const { config, issues } = parseConfigText(
      '{\n  jobs: [\n    {name: "a" exec: "x"}\n  ]\n}',
      '/etc/cp.json5',
    );
    expect(config).toBeUndefined();
    expect(issues).toEqual([
      {
        file: '/etc/cp.json5',
        line: 3,
        col: 16,
        message: 'Unexpected token Identifier found.',
        rule: 'syntax',
      },
    ]);
  });

  it('reports a YAML syntax error at its line and column', () => {
    const { config, issues } = parseConfigText(
      'jobs:\n  - name: a\n    exec: [x, y\nwatches: []\n',
      'cp.yaml',
    );
    expect(config).toBeUndefined();
    // the flow sequence opened on line 3 is reported where it should have closed
    expect(issues[0]).toMatchObject({ file: 'cp.yaml', line: 4, col: 1, rule: 'syntax' });
    expect(issues[0]!.message).not.toMatch(/at line/);
  });

  it('chooses YAML for .yaml and .yml, JSON5 for anything else', () => {
    expect(parseConfigText('a: 1', 'x.yml').config?.value).toEqual({ a: 1 });
    expect(parseConfigText('a: 1', 'x.YAML').config?.value).toEqual({ a: 1 });
    expect(parseConfigText('{a: 1, /* c */ b: [1,],}', 'x.conf').config?.value).toEqual({ a: 1, b: [1] });
  });

  it('reports every duplicate key but still returns the document', () => {
    const { config, issues } = parseConfigText('{a: 1,\n a: 2, b: {c: 1, "c": 2}}', 'cp.json5');
    expect(issues.map((i) => `${i.line}:${i.col} ${i.rule} ${i.message}`)).toEqual([
      '2:2 duplicate-key duplicate key "a"',
      '2:18 duplicate-key duplicate key "c"',
    ]);
    expect(config?.value).toEqual({ a: 2, b: { c: 2 } });
    const yaml = parseConfigText('a: 1\na: 2\n', 'cp.yaml');
    expect(yaml.issues.map((i) => `${i.line}:${i.col} ${i.rule}`)).toEqual(['2:1 duplicate-key']);
  });

  it.each([
    ['cp.json5', '{\n  jobs: [\n    { name: "web",\n      port: 80 },\n  ],\n}'],
    ['cp.yaml', 'jobs:\n  - name: web\n    port: 80\n'],
  ])('locates keys and values by path in %s', (file, text) => {
    const { config } = parseConfigText(text, file);
    const yaml = file.endsWith('.yaml');
    expect(config!.locate(['jobs', 0, 'port'], 'key')).toEqual(
      yaml ? { line: 3, col: 5 } : { line: 4, col: 7 },
    );
    expect(config!.locate(['jobs', 0, 'port'])).toEqual(yaml ? { line: 3, col: 11 } : { line: 4, col: 13 });
    expect(config!.locate(['jobs', 0])).toEqual(yaml ? { line: 2, col: 5 } : { line: 3, col: 5 });
    // a path that does not exist falls back to its nearest ancestor
    expect(config!.locate(['jobs', 0, 'health', 'ttl'])).toEqual(config!.locate(['jobs', 0]));
  });

  it('resolves YAML aliases and keeps __proto__ as plain data', () => {
    const { config } = parseConfigText('base: &b {interval: 3}\nw: *b\n__proto__: {x: 1}\n', 'cp.yaml');
    const value = config!.value as Record<string, unknown>;
    expect(value.w).toEqual({ interval: 3 });
    expect(Object.keys(value)).toContain('__proto__');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
