import { describe, expect, it } from 'vitest';
import { compile, render, TemplateError } from './template.ts';

// Every row was rendered by Go 1.26's text/template (data decoded from JSON, integral numbers as int)
// and the output pasted here verbatim: the engine must produce byte-identical output.
const GO_VERIFIED: [template: string, data: unknown, goOutput: string][] = [
  ['hello {{ .Name }}!', { Name: 'world' }, 'hello world!'],
  ['a  {{- .X -}}  b', { X: 'x' }, 'axb'],
  ['a\n  {{- /* c */ -}}\n  b', {}, 'ab'],
  ['{{/* comment */}}x', {}, 'x'],
  ['{{ .A.B.C }}', { A: { B: { C: 'deep' } } }, 'deep'],
  ['{{ .Missing }}', {}, '<no value>'],
  ['{{ $x := "v" }}{{ $x }}{{ $x = "w" }}{{ $x }}', {}, 'vw'],
  ['{{ $.Top }}{{ with .In }}{{ $.Top }}{{ . }}{{ end }}', { Top: 'T', In: 'i' }, 'TTi'],
  ['{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}', { B: 1 }, 'b'],
  ['{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}', { A: 0, B: '' }, 'c'],
  ['{{ range .L }}[{{ . }}]{{ end }}', { L: ['a', 'b'] }, '[a][b]'],
  ['{{ range $i, $v := .L }}{{ $i }}={{ $v }},{{ end }}', { L: ['a', 'b'] }, '0=a,1=b,'],
  ['{{ range $k, $v := .M }}{{ $k }}={{ $v }},{{ end }}', { M: { b: 2, a: 1, c: 3 } }, 'a=1,b=2,c=3,'],
  ['{{ range $v := .M }}{{ $v }},{{ end }}', { M: { b: 2, a: 1 } }, '1,2,'],
  ['{{ range .L }}x{{ else }}empty{{ end }}', { L: [] }, 'empty'],
  ['{{ with .W }}w={{ . }}{{ else }}none{{ end }}', { W: '' }, 'none'],
  ['{{ with .W }}w={{ . }}{{ else with .V }}v={{ . }}{{ end }}', { W: '', V: 'vv' }, 'v=vv'],
  [
    '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }}',
    {},
    'true true true true true true false',
  ],
  ['{{ and 1 0 2 }} {{ or 0 "" "x" }} {{ and 1 2 }} {{ or 0 "" }} {{ not 0 }}', {}, '0 x 2  true'],
  ['{{ len "h\u00e9llo" }} {{ len .L }} {{ len .M }}', { L: [1, 2, 3], M: { a: 1 } }, '6 3 1'],
  [
    '{{ index .L 1 }} {{ index .M "k" }} {{ index .N 0 1 }}',
    { L: ['x', 'y'], M: { k: 'v' }, N: [[1, 2]] },
    'y v 2',
  ],
  ['{{ print "a" 1 2 "b" true }}|{{ println 1 "x" }}|{{ print 1 2 }}', {}, 'a1 2btrue|1 x\n|1 2'],
  ['{{ printf "%s-%d-%v-%q" "s" 5 .L "q" }}', { L: [1, 2] }, 's-5-[1 2]-"q"'],
  [
    '{{ printf "%d" "str" }}|{{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 }}',
    {},
    '%!d(string=str)|1 %!d(MISSING)|1%!(EXTRA int=2)',
  ],
  [
    '{{ printf "%05d|%-5s|%5s|%+d|%x|%X|%o|%b|%c|%t|%%" 42 "ab" "cd" 3 255 255 8 5 65 true }}',
    {},
    '00042|ab   |   cd|+3|ff|FF|10|101|A|true|%',
  ],
  [
    '{{ printf "%.2f %e %g %6.1f %v" 3.14159 1234.5678 0.000012345 2.25 2.5 }}',
    {},
    '3.14 1.234568e+03 1.2345e-05    2.2 2.5',
  ],
  ['{{ "abc" | printf "%s!" }} {{ 3 | printf "%d-%d" 2 }}', {}, 'abc! 2-3'],
  [
    '{{ .L }} {{ .M }} {{ .B }} {{ .F }} {{ .N }}',
    { L: ['a', 1], M: { z: 1, a: 'b' }, B: false, F: 2.5, N: null },
    '[a 1] map[a:b z:1] false 2.5 <no value>',
  ],
  [
    '{{ `raw\\n` }}{{ "esc\\t\\x41\\u00e9" }}{{ \'a\' }} {{ 0x1F }} {{ 0644 }} {{ 1e3 }} {{ -5 }}',
    {},
    'raw\\nesc\tA\u00e997 31 420 1000 -5',
  ],
  ['{{ (printf "%s" "p") }} {{ len (print "abc" "de") }}', {}, 'p 5'],
  [
    '{{ range $i, $e := .L }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $e }}{{ end }}',
    { L: ['a', 'b', 'c', 'd', 'e'] },
    'ac',
  ],
  ['{{ range 3 }}{{ . }}{{ end }}', {}, '012'],
  ['{{ define "T" }}<{{ . }}>{{ end }}{{ template "T" "x" }}{{ template "T" .V }}', { V: 'v' }, '<x><v>'],
  ['{{ block "B" .V }}[{{ . }}]{{ end }}', { V: 'v' }, '[v]'],
  ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}', {}, '2'],
  [
    '{{ html "<a href=\'x\'>&\\"" }} {{ urlquery "a b&c=d/\u00e9" }} {{ js "it\'s <b>\\"q\\"" }}',
    {},
    '&lt;a href=&#39;x&#39;&gt;&amp;&#34; a+b%26c%3Dd%2F%C3%A9 it\\\'s \\u003Cb\\u003E\\"q\\"',
  ],
  ['{{ slice "abcdef" 1 3 }} {{ slice .L 1 }}', { L: [1, 2, 3] }, 'bc [2 3]'],
  ['{{ if and .A (not .B) }}yes{{ end }}', { A: true, B: false }, 'yes'],
  ['{{ .A | len }}', { A: 'four' }, '4'],
  ['{{ printf "%v %s" nil nil }}', {}, '<nil> %!s(<nil>)'],
  ['{{ printf "%T %T %T %T" 1 "s" true 1.5 }}', {}, 'int string bool float64'],
  ['{{ printf "%q %v %d" .L .L .L }}', { L: ['a', 'b'] }, '["a" "b"] [a b] [%!d(string=a) %!d(string=b)]'],
  ['{{ printf "%8.3s|%-8q|%#x|%#o|% d" "abcdef" "q" 255 8 5 }}', {}, '     abc|"q"     |0xff|010| 5'],
  [
    '{{ printf "%g %g %g %G %.3g %e" 100000.0 1000000.0 0.0001 1e-7 1234.5678 0.0 }}',
    {},
    '100000 1e+06 0.0001 1E-07 1.23e+03 0.000000e+00',
  ],
  ['{{ 0.1 }} {{ 1e21 }} {{ 123456.7 }} {{ 1e-5 }} {{ -0.5 }}', {}, '0.1 1e+21 123456.7 1e-05 -0.5'],
  ['{{ with $x := .A }}{{ $x }}{{ . }}{{ end }}', { A: 'a' }, 'aa'],
  ['{{if .A}}\n  yes\n{{- end}}', { A: 1 }, '\n  yes'],
  ['{{ .A.B }}', {}, '<no value>'],
  ['{{ .A\n}}', { A: 'nl' }, 'nl'],
  ['{{ (index .M "a").b }}', { M: { a: { b: 'chained' } } }, 'chained'],
  ['{{ $ }}', { a: 1 }, 'map[a:1]'],
  ['{{ .M.x }}', { M: { x: 'lower' } }, 'lower'],
  ['{{ printf "%!" }}|{{ printf "%z" 1 }}|{{ printf "%" }}', {}, '%!!(MISSING)|%!z(int=1)|%!(NOVERB)'],
  [
    '{{ printf "%s" 5 }}|{{ printf "%d" 2.5 }}|{{ printf "%t" 1 }}',
    {},
    '%!s(int=5)|%!d(float64=2.5)|%!t(int=1)',
  ],
  ['{{ .A|len }}{{.A| len}}{{ .A |len }}', { A: 'xy' }, '222'],
  ['{{-3}} {{- 3 }}x {{ 3 -}} y', {}, '-33x 3y'],
  ['a {{- /* c */}} b{{/* c */ -}} c', {}, 'a bc'],
  [
    '{{ range $i, $s := .S }}{{ range $j, $t := $s }}{{ $i }}{{ $j }}{{ $t }};{{ end }}{{ end }}',
    { S: [['a', 'b'], ['c']] },
    '00a;01b;10c;',
  ],
  ['{{ range .S }}{{ $.P }}{{ . }}{{ end }}', { S: ['a', 'b'], P: '-' }, '-a-b'],
  ['{{ $v := 0 }}{{ range .S }}{{ $v = . }}{{ end }}{{ $v }}', { S: ['a', 'b'] }, 'b'],
  ['{{ printf "%6.2f|%.0f|%.1f|%.1f|%.2e" 2.675 0.5 0.25 0.35 12345.0 }}', {}, '  2.67|0|0.2|0.3|1.23e+04'],
  ['{{ printf "%.3g|%g|%.2g|%g" 9.9996 123456789.0 0.000123 0.5 }}', {}, '10|1.23456789e+08|0.00012|0.5'],
  ['{{ printf "%v|%d|%s" true -42 "" }}', {}, 'true|-42|'],
  ['{{ printf "%x|%X|% x" "hello" "hi" 255 }}', {}, '68656c6c6f|6869| ff'],
  ['{{ printf "%3c|%-3c|%U" 65 66 9731 }}', {}, '  A|B  |U+2603'],
  ['{{ printf "%q" "a\\"b\\\\c\\nd\\u0001" }}', {}, '"a\\"b\\\\c\\nd\\x01"'],
  ['{{ if eq .X "a" "b" }}in{{ else }}out{{ end }}', { X: 'b' }, 'in'],
  ['{{ if not (eq .X "a") }}not-a{{ end }}', { X: 'b' }, 'not-a'],
  ['{{ with .M }}{{ .k }}{{ end }}', { M: { k: 'v' } }, 'v'],
  ['{{ range $k, $v := . }}{{ $k }}{{ end }}', { b: 1, a: 2, B: 3, _: 4 }, 'B_ab'],
  ['{{ index . "my-var" }}', { 'my-var': 'dash' }, 'dash'],
  ['{{ print }}|{{ print nil }}|{{ println }}', {}, '|<nil>|\n'],
  ['{{ len .L | printf "%03d" }}', { L: [1, 2] }, '002'],
  ['{{ "a" | eq "a" }} {{ 1 | lt 0 }}', {}, 'true true'],
  ['x{{ if true }}\n{{ end }}y', {}, 'x\ny'],
  ['{{ ( .A ) }}', { A: 'p' }, 'p'],
  ['{{ or .A "fallback" }}|{{ and .B "yes" }}', { A: '', B: 'b' }, 'fallback|yes'],
  [
    '{{ range .L }}{{ if . }}t{{ else }}f{{ end }}{{ end }}',
    { L: [0, 1, '', [], {}, 'x', false, true, null] },
    'ftffftftf',
  ],
  ['{{ $v := "" }}{{ range $v = .L }}{{ end }}{{ $v }}', { L: ['a', 'b'] }, 'b'],
  ['{{ $i := 0 }}{{ $e := 0 }}{{ range $i, $e = .L }}{{ end }}{{ $i }}{{ $e }}', { L: ['a', 'b'] }, '1b'],
];

describe('Go text/template engine', () => {
  it.each(GO_VERIFIED)('renders %j exactly as Go does', (template, data, goOutput) => {
    expect(render(template, data)).toBe(goOutput);
  });

  it('renders a consul-template style nginx upstream with a plugged-in service function', () => {
    const instances: Record<string, { Address: string; Port: number }[]> = {
      hello: [
        { Address: '10.0.0.1', Port: 3001 },
        { Address: '10.0.0.2', Port: 3001 },
      ],
    };
    const service = (name: string) => instances[name] ?? [];
    const src =
      '{{ if service "hello" }}upstream hello { least_conn; {{ range service "hello" }}server {{ .Address }}:{{ .Port }};{{ end }} }{{ end }}' +
      '{{ if service "world" }}upstream world {}{{ end }}';
    expect(render(src, {}, { funcs: { service } })).toBe(
      'upstream hello { least_conn; server 10.0.0.1:3001;server 10.0.0.2:3001; }',
    );
  });

  it('calls methods of class instances like Go methods, with arguments and piped values', () => {
    class Greeter {
      readonly Name = 'ann';
      Greet(greeting: string, punctuation = '.') {
        return `${greeting}, ${this.Name}${punctuation}`;
      }
    }
    expect(render('{{ .Name }}: {{ .Greet "hi" }} {{ "!" | .Greet "yo" }}', new Greeter())).toBe(
      'ann: hi, ann. yo, ann!',
    );
  });

  it('lets the function table change between executions of one compiled template', () => {
    const template = compile('{{ who }}');
    expect(template.execute({}, { funcs: { who: () => 'first' } })).toBe('first');
    expect(template.execute({}, { funcs: { who: () => 'second' } })).toBe('second');
  });

  it('lets a user function override a builtin, as template.Funcs does', () => {
    expect(render('{{ len "abc" }}', {}, { funcs: { len: () => 'mine' } })).toBe('mine');
  });

  it('reads Map values as map entries', () => {
    expect(
      render(
        '{{ .a }} {{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }}',
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    ).toBe('1 a1b2');
  });

  it('treats missing keys according to missingKey', () => {
    expect(render('[{{ .nope }}]', {})).toBe('[<no value>]');
    expect(render('[{{ .nope }}]', {}, { missingKey: 'zero' })).toBe('[]');
    expect(() => render('{{ .nope }}', {}, { missingKey: 'error' })).toThrow(
      'map has no entry for key "nope"',
    );
  });
});

describe('template errors', () => {
  const failure = (src: string, data: unknown = {}, funcs = {}): TemplateError => {
    try {
      render(src, data, { name: 'nginx.conf.ctmpl', funcs });
    } catch (err) {
      if (err instanceof TemplateError) return err;
      throw err;
    }
    throw new Error(`expected ${JSON.stringify(src)} to fail`);
  };

  it.each([
    ['{{ if .A }}x', 1, 4, 'unexpected EOF: {{if}} has no matching {{end}}'],
    ['{{ if .A }}{{ else }}{{ else }}{{ end }}', 1, 25, 'expected {{end}}; found {{else}}'],
    ['ok\n  {{ end }}', 2, 6, 'unexpected {{end}}'],
    ['ok\n{{ $u }}', 2, 4, 'undefined variable "$u"'],
    ['{{ if }}{{ end }}', 1, 7, 'missing value for if'],
    ['{{ "unterminated }}', 1, 4, 'unterminated quoted string'],
    ['{{ .A', 1, 1, 'unclosed action'],
    ['{{ 3x }}', 1, 4, 'bad number syntax: "3x"'],
    ['{{ break }}', 1, 4, '{{break}} outside {{range}}'],
    ['{{ $a, $b := .X }}', 1, 6, 'too many declarations in command'],
    ['{{ .A | }}', 1, 7, 'missing command after |'],
    ['{{ /* x */ }}', 1, 4, 'unexpected "/" in command'],
    ['{{/* x */ y }}', 1, 10, 'comment ends before closing delimiter'],
    ['{{ range .L }}{{ else if .X }}{{ end }}', 1, 23, 'unexpected <if> after {{else}} in range'],
  ])('reports parse error in %j at line:col with what is wrong', (src, line, col, reason) => {
    const err = failure(src);
    expect({ line: err.pos.line, col: err.pos.col, reason: err.reason }).toEqual({ line, col, reason });
    expect(err.message).toBe(`nginx.conf.ctmpl:${line}:${col}: ${reason}`);
  });

  it.each([
    ['{{ nope 1 }}', 'function "nope" not defined'],
    ['{{ "x" 1 }}', 'can\'t give argument to non-function "x"'],
    ['{{ index .L 5 }}', 'error calling index: index out of range: 5'],
    ['{{ eq "a" 1 }}', 'error calling eq: incompatible types for comparison: string and int'],
    ['{{ len 3 }}', 'error calling len: len of type int'],
    ['{{ lt true false }}', 'error calling lt: invalid type for comparison'],
    ['{{ .S.Field }}', "can't evaluate field Field in type string"],
    ['{{ template "nope" }}', 'template "nope" not defined'],
    ['{{ not 1 2 }}', 'error calling not: wrong number of args for not: want 1 got 2'],
    ['{{ nil }}', 'nil is not a command'],
  ])('reports execution error of %j with its position', (src, reason) => {
    const err = failure(src, { L: [1], S: 'str' });
    expect(err.reason).toBe(reason);
    expect(err.pos).toMatchObject({ line: 1, col: 4 });
  });

  it('points a range over a non-iterable at the value', () => {
    const err = failure('{{ range .S }}{{ end }}', { S: 'str' });
    expect(err.message).toBe("nginx.conf.ctmpl:1:10: range can't iterate over str");
  });

  it('wraps errors thrown by plugged-in functions with the function name and position', () => {
    const err = failure(
      '\n  {{ boom "x" }}',
      {},
      {
        boom: () => {
          throw new Error('kaput');
        },
      },
    );
    expect(err.message).toBe('nginx.conf.ctmpl:2:6: error calling boom: kaput');
  });

  it('rejects unknown functions at parse time when the function table is known', () => {
    expect(() =>
      compile('{{ if false }}{{ servise "x" }}{{ end }}', { funcs: { service: () => [] } }),
    ).toThrow('template:1:18: function "servise" not defined');
  });
});
