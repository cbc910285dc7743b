// Go's fmt for template values: %v printing (what `{{ x }}` outputs), Sprint, Sprintln and Sprintf.
// JS has one number type: integral numbers print as Go ints, others as float64.

/** Iteration order and lookup for map-like values: plain objects and Maps, keys sorted as Go does. */
export function mapEntries(v: object): [unknown, unknown][] {
  const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export const isMapLike = (v: unknown): v is object =>
  v instanceof Map || (typeof v === 'object' && v !== null && !Array.isArray(v));

/** A plain object (Go map), as opposed to a class instance (Go struct). */
export const isPlain = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'function') return 'func';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** %v of a number: integral values print as Go ints, others like strconv.FormatFloat(f, 'g', -1, 64). */
export function formatFloat(n: number, asFloat = false): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  if (!asFloat && Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return goExp(`${mantissa}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`);
  return String(n);
}

/**
 * JS rounds exact ties away from zero (2.25 → "2.3"); Go rounds the exact binary value half-to-even
 * ("2.2"). Detect a tie from a longer expansion and keep the even digit.
 */
function roundEven(a: number, p: number, conv: (x: number, digits: number) => string): string {
  const long = conv(a, Math.min(100, p + 25));
  const m = /^(-?\d*)(\.?)(\d*)(e.*)?$/.exec(long);
  if (m) {
    const [, int = '', , frac = '', exp = ''] = m;
    const tail = frac.slice(p);
    if (/^50*$/.test(tail)) {
      const kept = int + frac.slice(0, p);
      if (Number(kept.at(-1)) % 2 === 0) return (p > 0 ? `${int}.${frac.slice(0, p)}` : int) + exp;
    }
  }
  return conv(a, p);
}
const toFixed = (a: number, p: number): string => roundEven(a, p, (x, d) => x.toFixed(d));
const toExponential = (a: number, p: number): string => roundEven(a, p, (x, d) => x.toExponential(d));

/** fmt's %v. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return `func(${v.name})`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof Date) return v.toISOString();
  return `map[${mapEntries(v)
    .map(([k, x]) => `${formatValue(k)}:${formatValue(x)}`)
    .join(' ')}]`;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

export const sprintln = (args: unknown[]): string => args.map(formatValue).join(' ') + '\n';

/** strconv.Quote. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(ch)) {
      out +=
        cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || s.length >= spec.width) return s;
  if (spec.minus) return s.padEnd(spec.width);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return s.padStart(spec.width);
}

const bad = (verb: string, v: unknown): string =>
  v === null || v === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;

function signed(n: number, body: string, spec: Spec): string {
  return (n < 0 ? '-' : spec.plus ? '+' : spec.space ? ' ' : '') + body;
}

function formatVerb(verb: string, v: unknown, spec: Spec): string {
  if (Array.isArray(v) && verb !== 'v' && verb !== 'T') {
    return `[${v.map((x) => formatVerb(verb, x, { ...spec, width: undefined })).join(' ')}]`;
  }
  switch (verb) {
    case 'v':
      if (typeof v === 'number') return pad(signed(v, formatFloat(Math.abs(v)), spec), spec, true);
      if (spec.sharp && typeof v === 'string') return pad(quote(v), spec, false);
      return pad(formatValue(v), spec, false);
    case 'T':
      return pad(goTypeName(v), spec, false);
    case 's':
    case 'q': {
      if (typeof v !== 'string')
        return verb === 'q' && typeof v === 'number'
          ? pad(`'${String.fromCodePoint(v)}'`, spec, false)
          : bad(verb, v);
      const s = spec.precision !== undefined ? [...v].slice(0, spec.precision).join('') : v;
      return pad(verb === 'q' ? (spec.sharp && !s.includes('`') ? `\`${s}\`` : quote(s)) : s, spec, false);
    }
    case 't':
      return typeof v === 'boolean' ? pad(String(v), spec, false) : bad(verb, v);
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X':
    case 'c':
    case 'U': {
      if (typeof v === 'string' && (verb === 'x' || verb === 'X')) {
        const hex = Buffer.from(v, 'utf8').toString('hex');
        return pad(verb === 'X' ? hex.toUpperCase() : hex, spec, false);
      }
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        if (typeof v === 'number' && (verb === 'x' || verb === 'X')) return pad(v.toString(16), spec, true);
        return bad(verb, v);
      }
      if (verb === 'c') return pad(String.fromCodePoint(v), spec, false);
      if (verb === 'U') return pad('U+' + v.toString(16).toUpperCase().padStart(4, '0'), spec, false);
      const radix = { d: 10, b: 2, o: 8, x: 16, X: 16 }[verb];
      let body = Math.abs(v).toString(radix);
      if (verb === 'X') body = body.toUpperCase();
      if (spec.precision !== undefined) body = body.padStart(spec.precision, '0');
      if (spec.sharp) body = ({ b: '0b', o: '0', x: '0x', X: '0X', d: '' }[verb] ?? '') + body;
      return pad(signed(v, body, spec), spec, spec.precision === undefined);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (typeof v !== 'number') return bad(verb, v);
      const a = Math.abs(v);
      const p = spec.precision;
      let body: string;
      if (verb === 'f' || verb === 'F') body = toFixed(a, p ?? 6);
      else if (verb === 'e' || verb === 'E') body = goExp(toExponential(a, p ?? 6));
      else body = p === undefined ? formatFloat(a, true) : goG(a, p);
      if (verb === 'E' || verb === 'G') body = body.toUpperCase();
      return pad(signed(v, body, spec), spec, true);
    }
    default:
      return `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
  }
}

/** JS "1.5e+6" → Go "1.5e+06". */
const goExp = (s: string): string => s.replace(/e([+-])(\d)$/, 'e$10$2');

function goG(a: number, p: number): string {
  const prec = p === 0 ? 1 : p;
  const e = toExponential(a, prec - 1);
  const exp = Number(e.split('e')[1]);
  if (exp < -4 || exp >= prec) return goExp(e.replace(/\.?0+e/, 'e'));
  return String(Number(e));
}

/** fmt.Sprintf with Go's verbs, flags, width and precision, and Go's %!verb(...) error markers. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?(.)?/gy;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    re.lastIndex = pct;
    const m = re.exec(format)!;
    i = re.lastIndex;
    const [, flags = '', width, precision, verb] = m;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    const take = (): number | undefined => (argi < args.length ? Number(args[argi++]) : undefined);
    const spec: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      sharp: flags.includes('#'),
      space: flags.includes(' '),
      zero: flags.includes('0') && !flags.includes('-'),
      width: width === '*' ? take() : width !== undefined ? Number(width) : undefined,
      precision:
        precision === '*'
          ? take()
          : precision !== undefined
            ? Number(precision)
            : m[0].includes('.')
              ? 0
              : undefined,
    };
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(verb, args[argi++], spec);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`))
      .join(', ')})`;
  }
  return out;
}
